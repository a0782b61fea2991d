"""``path("api/", include("keysmith.drf.urls"))``: the token endpoints under ``tokens/``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from keysmith.drf.views import TokenViewSet

app_name = "keysmith"

router = SimpleRouter()
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = router.urls
