from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from runs import selectors
from runs.models import ApiKey, Membership, Organization, Step, TaskRun
from runs.services import api_key_create, api_key_revoke
from runs.services.keys import webhook_secret_set


def _own_organization(request) -> Organization | None:
    return selectors.organization_for_user(user=request.user)


class OrganizationScoped(admin.ModelAdmin):
    """Staff who are not superusers see only their own organization's rows (none without one), pick only it
    in forms, and need Django's model permissions for everything, viewing included."""

    organization_lookup = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = _own_organization(request)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_lookup: organization})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _scope_organization_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _scope_organization_choices(db_field, request, kwargs: dict) -> None:
    """A foreign key to Organization offers a non-superuser only their own organization."""
    if db_field.related_model is Organization and not request.user.is_superuser:
        organization = _own_organization(request)
        kwargs["queryset"] = Organization.objects.filter(pk=organization.pk if organization else None)


class OrganizationForm(forms.ModelForm):
    """The default model is picked from the models this server is configured with (GET /api/v1/models);
    a value set before the configuration changed stays selectable."""

    class Meta:
        model = Organization
        fields = ["name", "default_model", "max_steps_per_run"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "The server's default model")]
        choices += [(choice.name, choice.label) for choice in selectors.models_offered()]
        current = self.initial.get("default_model")
        if current and current not in dict(choices):
            choices.append((current, f"{current} (not configured on this server)"))
        self.fields["default_model"] = forms.ChoiceField(
            choices=choices, required=False, help_text=Organization._meta.get_field("default_model").help_text
        )


@admin.register(Organization)
class OrganizationAdmin(OrganizationScoped):
    organization_lookup = "pk"
    form = OrganizationForm
    actions = ["new_webhook_secret"]

    @admin.action(description="Generate a new webhook signing secret (shown once)", permissions=["change"])
    def new_webhook_secret(self, request, queryset) -> None:
        for organization in queryset:
            secret = webhook_secret_set(organization=organization)
            messages.warning(request, f"Webhook signing secret for {organization.name}, shown once: {secret}")

    list_display = ["name", "organization_id", "default_model", "max_steps_per_run", "created_at"]
    search_fields = ["name", "organization_id"]
    readonly_fields = ["organization_id", "created_at", "modified_at"]


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    verbose_name_plural = "organization"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _scope_organization_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class MemberUserAdmin(OrganizationScoped, UserAdmin):
    organization_lookup = "membership__organization"
    inlines = [MembershipInline]
    list_display = ["username", "organization", "is_staff", "is_active", "last_login"]
    list_select_related = ["membership__organization"]

    @admin.display(description="Organization")
    def organization(self, user) -> str:
        membership = getattr(user, "membership", None)
        return membership.organization.name if membership else "—"


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScoped):
    list_display = ["prefix", "name", "organization", "created_at", "last_used_at", "revoked_at"]
    list_filter = [
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
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

    def has_delete_permission(self, request, obj=None) -> bool:
        # Keys are revoked, not deleted: revocation keeps the runs' history and closes the key's sockets.
        return False

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
class TaskRunAdmin(OrganizationScoped):
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
    list_filter = ["status", "engine", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["run_id", "title", "prompt", "url"]
    inlines = [StepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TaskRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Read-only: the page renders for users with the view permission (a superuser has it), saves nothing.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
