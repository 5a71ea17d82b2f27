from django.urls import path

from . import views

urlpatterns = [
    # /beacon is routed in backstage/urls.py, before the long includes.
    path("how-we-count", views.how_we_count, name="how_we_count"),
    path("studio/stats/", views.stats_page, name="stats"),
    path("studio/stats/<str:table>.csv", views.stats_csv, name="stats_csv"),
    path("studio/stats/live/<str:public_id>", views.live_count, name="stats_live"),
]
for kind in ("release", "track"):
    urlpatterns += [
        path(
            f"studio/stats/{kind}/<str:public_id>/",
            views.stats_page,
            {"kind": kind},
            name=f"stats_{kind}",
        ),
        path(
            f"studio/stats/{kind}/<str:public_id>/<str:table>.csv",
            views.stats_csv,
            {"kind": kind},
            name=f"stats_{kind}_csv",
        ),
    ]
