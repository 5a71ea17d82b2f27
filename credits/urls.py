from django.urls import path

from . import views

app_name = "credits"

urlpatterns = [
    path("studio/credits/", views.inbox, name="inbox"),
    path("studio/credits/<str:kind>/<str:public_id>/", views.work, name="work"),
    path("studio/credits/<str:kind>/<str:public_id>/add", views.add, name="add"),
    path("studio/credits/<str:kind>/<str:public_id>/propose", views.propose, name="propose"),
    path("studio/credit/<int:credit_id>/answer", views.credit_answer, name="credit_answer"),
    path("studio/credit/<int:credit_id>/remove", views.credit_remove, name="credit_remove"),
    path(
        "studio/split-proposal/<int:proposal_id>/answer",
        views.proposal_answer,
        name="proposal_answer",
    ),
    # Bookmarks of the uploader-only editor this replaced (payments "splits").
    path("studio/splits/<str:kind>/<str:public_id>/", views.old_splits, name="old_splits"),
]
