from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="account-list"),
    # ``path``: an external id is the source system's, any text (even with a slash).
    path("<path:external_id>/", views.account_detail, name="account-detail"),
]
