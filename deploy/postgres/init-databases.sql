-- Run once by the postgres image on an empty data directory
-- (mounted into /docker-entrypoint-initdb.d/ by docker-compose.yml), as
-- POSTGRES_USER (yizhou), connected to the default database.
-- One database per service; each service runs its own migrations on start.
CREATE DATABASE org_registry;
CREATE DATABASE demand_intake;
CREATE DATABASE project_matching;
CREATE DATABASE dual_registration;
