"""Factories and files for the insured-person tests."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment.demo import DEMO_PDF, DEMO_PNG
from enrollment.models import Enrollment
from tests.factories import CityFactory, EnrollmentFactory, InsuredPersonFactory

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PNG, content_type="image/png")


def pdf_upload(name: str = "contract.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def enrolled_person(client, *, city=None, status="active", scheme="social_insurance", **kw):
    """A valid person with one enrolment by `client`."""
    person = InsuredPersonFactory(**kw)
    EnrollmentFactory(
        person=person, client=client, city=city or CityFactory(), scheme=scheme, status=status,
        starts_on=datetime.date(2026, 1, 1), base=Decimal("8000.00"),
        base_kind=Enrollment.BaseKind.DECLARED,
    )
    return person
