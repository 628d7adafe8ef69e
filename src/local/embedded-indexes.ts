/**
 * Indexes the embedded store can use, made by the local PostgreSQL itself.
 *
 * FerretDB 1.24 (PostgreSQL backend) turns a top-level equality filter
 * `{ courseId: 5 }` into `WHERE _jsonb->'courseId' @> '5'`, but its
 * `createIndexes` builds btree indexes on `(_jsonb->'courseId')`, and a btree
 * cannot answer `@>`: every such query was a sequential scan. A GIN index on
 * the same expression can. So, for every btree index FerretDB makes on a
 * top-level field (the service's own `ensureIndexes`, `_id` included), this
 * event trigger adds the GIN twin in the same transaction; the backfill at
 * the end covers a kept cluster whose indexes predate the trigger. Both are
 * idempotent. Production (MongoDB) and the service's code are untouched.
 *
 * Measured on 20,000 enrollment documents (docs/local-store.md):
 * `findOne({_id})` 47 ms → 3 ms, `find({courseId})` of ~20 documents of 3.8 KB
 * 83 ms → 18 ms.
 */
export const EMBEDDED_INDEX_SQL = /* sql */ `
SET client_min_messages = warning;
CREATE OR REPLACE FUNCTION sms_sync_gin_twins(btree_index regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  definition text := pg_get_indexdef(btree_index);
  table_name regclass;
  field text;
BEGIN
  SELECT indrelid INTO table_name FROM pg_index WHERE indexrelid = btree_index;
  -- Only FerretDB's tables (one jsonb column) and only top-level fields: "(_jsonb -> 'f'::text)" not followed by "->".
  IF definition NOT LIKE '% USING btree %' OR NOT EXISTS (
    SELECT 1 FROM pg_attribute WHERE attrelid = table_name AND attname = '_jsonb'
  ) THEN
    RETURN;
  END IF;
  FOR field IN
    SELECT DISTINCT replace(match[1], '''''', '''')
    FROM regexp_matches(definition, '\\(_jsonb -> ''((?:[^'']|'''')+)''::text\\)(?! ->)', 'g') AS match
  LOOP
    EXECUTE format(
      'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L))',
      -- FerretDB's table names are unique per schema; the hash keeps long ones apart within PostgreSQL's 63 characters.
      left(split_part(table_name::text, '.', 2), 30) || '_gin_' || left(md5(table_name::text || '.' || field), 16),
      table_name,
      field
    );
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION sms_sync_gin_twins_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM sms_sync_gin_twins(created.objid::regclass);
  END LOOP;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS sms_sync_gin_twins;
CREATE EVENT TRIGGER sms_sync_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION sms_sync_gin_twins_on_create();

SELECT count(sms_sync_gin_twins(indexrelid::regclass))
FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid JOIN pg_am ON pg_am.oid = pg_class.relam
WHERE pg_am.amname = 'btree' AND pg_class.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace);
`;
