"""The schema generator of this API, apart from ``schema.py`` so that drf-spectacular can
import it from its settings while it imports its own views (which ``schema.py`` imports)."""

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings


class ApiSchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator with this API's settings (title, hooks ...), for the tools
    that use the host's generator: ``manage.py spectacular`` and the ``check --deploy`` schema
    check. In the host's settings::

        SPECTACULAR_SETTINGS = {
            "DEFAULT_GENERATOR_CLASS": "tagmanager.api.generator.ApiSchemaGenerator"
        }
    """

    def get_schema(self, request=None, public=False):
        from tagmanager.api.schema import SCHEMA_SETTINGS

        with patched_settings(SCHEMA_SETTINGS):
            return super().get_schema(request=request, public=public)
