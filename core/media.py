from django.conf import settings
from django.http import Http404
from django.views.static import serve


def tenant_media(request, path: str):
    """Serve an upload only on the host of the tenant it belongs to (MEDIA_ROOT/<schema>/…)."""
    schema, _, rest = path.partition("/")
    tenant = getattr(request, "tenant", None)
    if tenant is None or schema != tenant.schema_name or not rest or ".." in path.split("/"):
        raise Http404("No such file")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
