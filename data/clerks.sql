-- The prefecture's two registry clerks, whom data/registry_activity.sql and
-- data/close_period.sql act as: one requests, the other approves (four-eyes).
-- Roles are cluster-wide, so an existing pair is kept.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clerk') THEN
        CREATE ROLE clerk LOGIN IN ROLE tsetp_admin;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'approver') THEN
        CREATE ROLE approver LOGIN IN ROLE tsetp_admin;
    END IF;
END
$$;
