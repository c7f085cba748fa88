from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("runs", "0007_sessions_credentials_workflows_scripts")]

    operations = [
        migrations.AddField(
            model_name="script",
            name="block_label",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
