import factory

from tagmanager.models import ConsentCategory, Container, FireEvent, Tag, Trigger, Variable


class ContainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Container

    name = factory.Sequence(lambda n: f"Site {n}")
    key = factory.Sequence(lambda n: f"site-{n}")
    allowed_origins = factory.LazyAttribute(lambda o: [f"https://{o.key}.example"])


class ConsentCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentCategory

    container = factory.SubFactory(ContainerFactory)
    slug = factory.Sequence(lambda n: f"category_{n}")
    names = factory.LazyAttribute(lambda o: {"en": o.slug.title()})


class TriggerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trigger

    container = factory.SubFactory(ContainerFactory)
    name = factory.Sequence(lambda n: f"Trigger {n}")
    trigger_type = "page_view"


class VariableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variable

    container = factory.SubFactory(ContainerFactory)
    name = factory.Sequence(lambda n: f"var_{n}")
    variable_type = "constant"
    parameters = {"value": "x"}


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        skip_postgeneration_save = True

    container = factory.SubFactory(ContainerFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")
    tag_type = "image"
    parameters = {"url": "https://px.example.net/i.gif"}

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def firing_triggers(self, create, extracted, **kwargs):
        if create and extracted:
            self.firing_triggers.set(extracted)


class FireEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FireEvent

    event_id = factory.Sequence(lambda n: f"evt-{n:08d}")
    container = factory.SubFactory(ContainerFactory)
    event_name = "page_view"


def user_with(username: str, *, perms=(), containers=(), superuser: bool = False, password="pw"):
    """A staff user holding ``perms`` ("tagmanager.add_tag", ...) and member of ``containers``.

    >>> editor = user_with("ed", perms=EDITOR_PERMS, containers=[shop])
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username=username, email="", password=password)
    else:
        user = User.objects.create_user(username=username, password=password, is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for container in containers:
        container.members.add(user)
    return User.objects.get(pk=user.pk)  # fresh: no stale permission cache
