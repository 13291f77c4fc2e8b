from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/preview/", views.report_preview, name="preview"),
    path("<int:pk>/send/", views.report_send, name="send"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/reopen/", views.report_reopen, name="reopen"),
]
