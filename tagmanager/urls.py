app_name = "tagmanager"

urlpatterns = []
