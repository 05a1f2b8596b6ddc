import pytest

from tagmanager.tasks import health_check
from tests.factories import ContainerFactory


@pytest.mark.django_db
def test_health_check_in_process():
    ContainerFactory()
    assert health_check.apply().get()["containers"] == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_celery_round_trip(celery_worker_process, settings):
    """A task goes through the real broker to a real worker process, which reads the test DB."""
    from django.db import connection

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    ContainerFactory.create_batch(3)
    result = health_check.delay().get(timeout=60)
    assert result == {"database": connection.vendor, "containers": 3}
    assert celery_worker_process.poll() is None
