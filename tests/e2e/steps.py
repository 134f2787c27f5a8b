"""What every journey does first: log in as a person would, on the staff pages or the
portal, and land where the journey starts."""

from tests.factories import PASSWORD


def log_in(page, live_server, user, *, face: str, landing: str = "") -> None:
    """Fill the log-in form of `face` ("staff" or "portal") by its labels and wait for
    `landing` (the face's home page when not given)."""
    landing = landing or f"/{face}/"
    page.goto(f"{live_server.url}/{face}/login/?next={landing}")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def log_out(page) -> None:
    page.context.clear_cookies()


class PdfCatcher:
    """Keeps the bytes of the PDFs the page opens under `glob`: Chromium shows an inline PDF
    in its viewer (what a person sees), and the response the page gets is the viewer's, so
    the test reads the file on its way in."""

    def __init__(self, page, glob: str) -> None:
        self.pdfs: list[bytes] = []
        page.route(glob, self._keep)

    def _keep(self, route) -> None:
        response = route.fetch()
        if response.headers.get("content-type") == "application/pdf":
            self.pdfs.append(response.body())
        route.fulfill(response=response)


def go(page, link: str) -> None:
    """Follow `link` (its exact name) in the page's main navigation, the header's."""
    page.get_by_role("navigation").first.get_by_role("link", name=link, exact=True).click()
