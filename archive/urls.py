"""Routes of the archive app: the staff archive pages and the client's read-only list."""

from django.urls import path

from agency.routing import faces
from archive import views

urlpatterns = faces(
    staff=[
        path("archive/", views.staff_archive_list, name="staff-archive"),
        path("archive/batches/", views.staff_archive_batch_list,
             name="staff-archive-batches-list"),
        path("archive/batches/<int:pk>/", views.staff_archive_batch_detail,
             name="staff-archive-batches-detail"),
        path("archive/batches/<int:pk>/close/", views.staff_archive_batch_close,
             name="staff-archive-batches-close"),
        path("archive/items/<int:pk>/", views.staff_archive_item_detail,
             name="staff-archive-items-detail"),
        path("archive/items/<int:pk>/appraise/", views.staff_archive_item_appraise,
             name="staff-archive-items-appraise"),
        path("archive/items/<int:pk>/destroy/", views.staff_archive_item_destroy,
             name="staff-archive-items-destroy"),
        path("archive/items/<int:pk>/check/", views.staff_archive_item_check,
             name="staff-archive-items-check"),
        path("archive/items/<int:pk>/lend/", views.staff_archive_loan_create,
             name="staff-archive-items-lend"),
        path("archive/items/<int:pk>/file/", views.staff_archive_item_file,
             name="staff-archive-items-file"),
        path("archive/loans/", views.staff_archive_loans, name="staff-archive-loans"),
        path("archive/loans/<int:pk>/return/", views.staff_archive_loan_return,
             name="staff-archive-loans-return"),
    ],
    portal=[
        path("archive/", views.portal_archive_list, name="portal-archive"),
        path("archive/items/<int:pk>/file/", views.portal_archive_item_file,
             name="portal-archive-items-file"),
    ],
)
