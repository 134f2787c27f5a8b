"""API authentication. Kept apart from agency.api: DRF imports these classes while its
own views module is still loading."""

from rest_framework.authentication import TokenAuthentication


class TokenOrApiKeyAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`: a staff or portal user's token.

    A client's API key is sent the same way; the clients app extends this class
    (`clients.auth`) to accept those too."""

    keyword = "Token"
