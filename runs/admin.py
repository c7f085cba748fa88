from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from runs.models import ApiKey, Membership, Organization, Step, TaskRun
from runs.services import api_key_create, api_key_revoke


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization_id", "max_steps_per_run", "created_at"]
    search_fields = ["name", "organization_id"]
    readonly_fields = ["organization_id", "created_at", "modified_at"]


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    verbose_name_plural = "organization"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class MemberUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "organization", "is_staff", "is_active", "last_login"]
    list_select_related = ["membership__organization"]

    @admin.display(description="Organization")
    def organization(self, user) -> str:
        membership = getattr(user, "membership", None)
        return membership.organization.name if membership else "—"


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "organization", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organization", "name"]
        return ["organization", "name", "prefix", "key_id", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["organization", "prefix", "key_id", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        key, raw = api_key_create(organization=obj.organization, name=obj.name)
        obj.pk = key.pk
        obj.refresh_from_db()
        messages.warning(request, f"Copy this API key now; it will not be shown again: {raw}")

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset) -> None:
        for key in queryset:
            api_key_revoke(api_key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


class StepInline(admin.TabularInline):
    model = Step
    fields = [
        "order",
        "retry_index",
        "status",
        "input_token_count",
        "output_token_count",
        "step_cost",
        "llm_model",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = [
        "run_id",
        "organization",
        "status",
        "engine",
        "title",
        "step_count",
        "total_cost",
        "created_at",
    ]
    list_filter = ["status", "engine", "organization"]
    search_fields = ["run_id", "title", "prompt", "url"]
    inlines = [StepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TaskRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Read-only: the change page renders, but nothing saves.
        return request.method in ("GET", "HEAD")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
