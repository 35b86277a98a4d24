-- Role and database of the record store. Idempotent: `obsgen stack up` runs it on every
-- start (as the cluster's superuser); compose runs it once from docker-entrypoint-initdb.d.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'recordstore') THEN
        CREATE ROLE recordstore LOGIN PASSWORD 'recordstore';
    END IF;
END
$$;

-- postgres_exporter connects as recordstore and reads the pg_stat_* views.
GRANT pg_monitor TO recordstore;

SELECT 'CREATE DATABASE recordstore OWNER recordstore'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'recordstore')\gexec
