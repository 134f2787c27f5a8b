"""Routes of the service desk: inquiries, complaints and satisfaction feedback."""

from agency.routing import Route

staff: list[Route] = []
portal: list[Route] = []
api: list[Route] = []
