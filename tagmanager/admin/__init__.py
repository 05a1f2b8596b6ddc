from tagmanager.admin import definitions, logs  # noqa: F401
