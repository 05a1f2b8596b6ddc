from rest_framework.permissions import BasePermission

# The Django model permission each HTTP method needs, as the admin checks them.
METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def model_permission(model, method: str) -> str:
    """``tagmanager.view_tag`` for a GET on tags, ``tagmanager.add_tag`` for a POST ..."""
    meta = model._meta
    return f"{meta.app_label}.{METHOD_ACTIONS[method]}_{meta.model_name}"


class AppPermissions(BasePermission):
    """An authenticated, active user holding every permission the view names for the request.

    Views say which with ``permissions_required(request)``; container membership is enforced by
    their querysets (objects of other containers do not exist for the user).
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        missing = [p for p in view.permissions_required(request) if not user.has_perm(p)]
        if missing:
            self.message = f"You need the permission {', '.join(missing)} for this."
            return False
        return True
