from django.urls import path

from actionplan import views

app_name = "actionplan"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("mine/", views.my_actions, name="mine"),
    path("export.csv", views.action_export, name="export"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/update/", views.action_update, name="update"),
]
