"""Routes of roster orders (增减员, STD-4.3, 4.6, 4.7, 6.3): staff, portal, API."""

from django.urls import path

from agency.routing import faces
from enrollment.orders import api, views

urlpatterns = faces(
    staff=[
        path("orders/", views.staff_order_list, name="staff-orders-list"),
        path("orders/queue/", views.staff_work_queue, name="staff-orders-queue"),
        path("orders/queue/bulk/", views.staff_work_queue_bulk, name="staff-orders-queue-bulk"),
        path("orders/email/", views.staff_order_email, name="staff-orders-email"),
        path("orders/lines/<int:pk>/", views.staff_line_detail, name="staff-orders-line"),
        path("orders/lines/<int:pk>/transition/", views.staff_line_transition,
             name="staff-orders-line-transition"),
        path("orders/<int:pk>/", views.staff_order_detail, name="staff-orders-detail"),
        path("orders/<int:pk>/files/<str:field>/", views.staff_order_file,
             name="staff-orders-file"),
    ],
    portal=[
        path("orders/", views.portal_order_list, name="portal-orders-list"),
        path("orders/new/", views.portal_order_create, name="portal-orders-create"),
        path("orders/upload/", views.portal_order_upload, name="portal-orders-upload"),
        path("orders/<int:pk>/import/", views.portal_order_import, name="portal-orders-import"),
        path("orders/<int:pk>/import/status/", views.portal_order_import_status,
             name="portal-orders-import-status"),
        path("orders/template.xlsx", views.portal_order_template,
             name="portal-orders-template"),
        path("orders/<int:pk>/", views.portal_order_detail, name="portal-orders-detail"),
        path("orders/<int:pk>/lines/<int:line_pk>/papers/", views.portal_line_paper_upload,
             name="portal-orders-line-paper-upload"),
    ],
    api=[
        path("orders/", api.OrderListCreateView.as_view(), name="api-orders"),
        path("orders/import/", api.OrderImportView.as_view(), name="api-orders-import"),
        path("orders/template.xlsx", api.OrderTemplateView.as_view(),
             name="api-orders-template"),
        path("orders/<int:pk>/", api.OrderDetailView.as_view(), name="api-order"),
        path("orders/<int:pk>/lines/", api.OrderLinesView.as_view(), name="api-order-lines"),
        path("order-lines/<int:pk>/transition/", api.LineTransitionView.as_view(),
             name="api-order-line-transition"),
    ],
)
