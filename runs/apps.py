from django.apps import AppConfig


class RunsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "runs"
    verbose_name = "Runs"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from runs.models import ApiKey, Organization

        # Cached API keys carry their organization: any change to either empties the caches (key_cache.py).
        for model in (ApiKey, Organization):
            post_save.connect(_keys_changed, sender=model, dispatch_uid=f"key-cache-{model.__name__}-save")
            post_delete.connect(
                _keys_changed, sender=model, dispatch_uid=f"key-cache-{model.__name__}-delete"
            )


def _keys_changed(**_: object) -> None:
    from runs.services.key_cache import keys_changed

    keys_changed()
