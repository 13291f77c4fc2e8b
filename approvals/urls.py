from django.urls import path

from approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/return/", views.return_update, name="return"),
    path("<str:kind>/<int:pk>/return/", views.return_item, name="return-item"),
]
