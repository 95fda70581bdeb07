# Joins the two catalog migrations written side by side on separate branches: the joint-handling
# limit basis (item 5) and licence renewal fields (item 8). No operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_joint_handling_limit_basis"),
        ("catalog", "0006_item_renewal_validity"),
    ]

    operations = []
