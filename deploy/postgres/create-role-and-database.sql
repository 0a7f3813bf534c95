-- The records store of the Nêu gương kit on PostgreSQL: one role, one database.
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -v pw=MAT-KHAU-DAI -f create-role-and-database.sql
--
-- (make a password with: openssl rand -hex 24).
-- The kit creates and migrates its own tables on first use (open_store), so the role owns
-- the database and its public schema; it needs no superuser right. Then point the kit at it:
--   NEUGUONG_DB_URL=postgresql+psycopg://neuguong:MAT-KHAU-DAI@127.0.0.1:6432/neuguong
-- (port 6432: through PgBouncer, see pgbouncer.ini; 5432 for a direct connection).
-- Checked by tests/scale/test_operations.py on a throw-away server.

CREATE ROLE neuguong LOGIN PASSWORD :'pw' CONNECTION LIMIT 300;
CREATE DATABASE neuguong OWNER neuguong ENCODING 'UTF8' TEMPLATE template0;
\connect neuguong
ALTER SCHEMA public OWNER TO neuguong;
REVOKE ALL ON DATABASE neuguong FROM PUBLIC;
-- Long idle transactions would hold back vacuum; a kernel never needs one.
ALTER ROLE neuguong SET idle_in_transaction_session_timeout = '5min';
