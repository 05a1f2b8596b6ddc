from django.db import migrations

# On PostgreSQL the database itself refuses to change or delete consent records. The only
# UPDATE allowed is sealing (seal fields set once, nothing else touched); DELETE only inside
# a transaction of the retention job, which sets tagmanager.retention = 'on' locally.
CREATE = """
CREATE OR REPLACE FUNCTION tagmanager_consent_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('tagmanager.retention', true) = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'tagmanager: consent records are append-only (DELETE refused)'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.seal_index IS NULL AND NEW.seal_index IS NOT NULL
     AND (to_jsonb(NEW) - 'seal_index' - 'seal_hash' - 'sealed_at')
       = (to_jsonb(OLD) - 'seal_index' - 'seal_hash' - 'sealed_at') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'tagmanager: consent records are append-only (UPDATE refused)'
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tagmanager_consent_append_only ON tagmanager_consentrecord;
CREATE TRIGGER tagmanager_consent_append_only
  BEFORE UPDATE OR DELETE ON tagmanager_consentrecord
  FOR EACH ROW EXECUTE FUNCTION tagmanager_consent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS tagmanager_consent_append_only ON tagmanager_consentrecord;
DROP FUNCTION IF EXISTS tagmanager_consent_append_only();
"""


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tagmanager", "0002_ingestion_and_proof")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
