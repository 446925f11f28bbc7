-- Roles, privileges and row-level security (SPEC §2.5).
--
--   tsetp_admin     the prefecture: registers facilities and accounts,
--                   issues, approves, corrects, closes periods; sees all
--   tsetp_operator  a facility operator or broker: sees and acts on the
--                   facilities and accounts of the holders it acts for
--                   (tsetp.holder_member), and nothing else
--   tsetp_verifier  records third-party verification of emissions
--   tsetp_reader    BI dashboards: the report views only
--
-- The roles are created if missing (roles are cluster-wide: they outlive the
-- extension). Grant them to login roles: GRANT tsetp_operator TO alice;
-- INSERT INTO tsetp.holder_member VALUES ('Alice Co.', 'alice').
-- The ledger's and the approvals' triggers are SECURITY DEFINER (with a
-- fixed search_path) so that the holdings, which no role may write, follow
-- every legal request; row-level security decides which requests a role may
-- make at all.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tsetp_admin', 'tsetp_operator', 'tsetp_verifier', 'tsetp_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA tsetp TO tsetp_admin, tsetp_operator, tsetp_verifier, tsetp_reader;

-- Trigger functions that write across the lines are not for direct calls.
REVOKE EXECUTE ON FUNCTION tsetp.ledger_apply(), tsetp.approval_apply(), tsetp.account_check(),
    tsetp.open_designated_accounts(), tsetp.base_emission_check(), tsetp.energy_use_changed(),
    tsetp.coverage_rule_changed(), tsetp.refresh_coverage(bigint[]),
    tsetp.base_emission_under_issue(), tsetp.facility_code_check(), tsetp.credit_kind_check(),
    tsetp.excess_input_check() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION tsetp.config_under_issue(), tsetp.account_holder_log(),
    tsetp.facility_operator_changed(), tsetp.approval_requester_acts() FROM PUBLIC;
-- The guards' reading of standing excess is the prefecture's (it reads
-- tsetp.standing_excess).
REVOKE EXECUTE ON FUNCTION tsetp.excess_issued_from(bigint, tsetp.fiscal_year) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.excess_issued_from(bigint, tsetp.fiscal_year) TO tsetp_admin;
-- The programme's issuance lock is taken by issuers (tsetp.issue_excess runs
-- as its caller, a tsetp_admin) and by the registry's own triggers; no one
-- else may hold it.
REVOKE EXECUTE ON FUNCTION tsetp.excess_guard_lock(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.excess_guard_lock(text, boolean) TO tsetp_admin;

-- Configuration: everyone who works with the registry may read it; the
-- prefecture maintains it.
GRANT SELECT ON tsetp.programme, tsetp.plan_period, tsetp.category, tsetp.target_rate,
    tsetp.transitional_rate, tsetp.certification_kind, tsetp.relief, tsetp.revision_ground,
    tsetp.standard_intensity, tsetp.credit_kind, tsetp.transaction_rule, tsetp.business_hours,
    tsetp.registry_holiday, tsetp.account_route
    TO tsetp_admin, tsetp_operator, tsetp_verifier;
GRANT INSERT, UPDATE, DELETE ON tsetp.programme, tsetp.plan_period, tsetp.category, tsetp.target_rate,
    tsetp.transitional_rate, tsetp.certification_kind, tsetp.relief, tsetp.revision_ground,
    tsetp.standard_intensity, tsetp.credit_kind, tsetp.transaction_rule, tsetp.business_hours,
    tsetp.registry_holiday, tsetp.account_route
    TO tsetp_admin;

-- Facilities and their data.
GRANT SELECT, INSERT, UPDATE ON tsetp.facility, tsetp.energy_use, tsetp.emission,
    tsetp.certification TO tsetp_admin;
GRANT SELECT, INSERT ON tsetp.base_emission TO tsetp_admin;
GRANT SELECT ON tsetp.facility, tsetp.energy_use, tsetp.emission, tsetp.base_emission,
    tsetp.certification TO tsetp_operator;
GRANT INSERT ON tsetp.energy_use, tsetp.emission TO tsetp_operator;
GRANT SELECT ON tsetp.facility, tsetp.emission TO tsetp_verifier;
GRANT UPDATE (verified_by, verified_at) ON tsetp.emission TO tsetp_verifier;

-- The registry.
GRANT SELECT, INSERT, UPDATE (status, holder, commitment_reserve) ON tsetp.account TO tsetp_admin;
GRANT SELECT, INSERT ON tsetp.account TO tsetp_operator;
GRANT SELECT ON tsetp.holding TO tsetp_admin, tsetp_operator;
GRANT SELECT, INSERT ON tsetp.ledger, tsetp.approval TO tsetp_admin, tsetp_operator;
GRANT SELECT, INSERT, DELETE ON tsetp.holder_member TO tsetp_admin;
GRANT SELECT ON tsetp.account_holder_history TO tsetp_admin;
GRANT SELECT ON tsetp.holder_member TO PUBLIC;
GRANT SELECT ON tsetp.transaction_status, tsetp.surrendered_credit, tsetp.serial_counter, tsetp.standing_excess TO tsetp_admin;
GRANT SELECT ON tsetp.ledger_movement, tsetp.account_balance, tsetp.ledger_report
    TO tsetp_admin, tsetp_operator, tsetp_reader;

-- The compliance engine. Its views read every facility and are for the
-- prefecture; the published reports, compliance_report and
-- programme_summary, show every facility to the prefecture and to readers.
-- Operators read the my_* views (filtered by tsetp.sees_holder) and the
-- functions over them: assess, projection and rate_at show an operator its
-- own facilities only, and nothing for anyone else's.
GRANT SELECT ON tsetp.base_history, tsetp.facility_period_input, tsetp.facility_year, tsetp.facility_period_reduction,
    tsetp.facility_assessment TO tsetp_admin;
GRANT SELECT ON tsetp.my_facility_year, tsetp.my_facility_period, tsetp.my_facility_assessment
    TO tsetp_admin, tsetp_operator;
GRANT SELECT ON tsetp.compliance_report, tsetp.programme_summary TO tsetp_admin, tsetp_reader;

-- The views that filter rows for the caller (tsetp.sees_holder) are
-- security barriers: a function or operator of the caller's own in a WHERE
-- on them is applied only to the rows the filter let through (only
-- LEAKPROOF ones, such as the comparisons of the extension's types, are
-- pushed below it).
ALTER VIEW tsetp.my_facility_year SET (security_barrier = true);
ALTER VIEW tsetp.my_facility_period SET (security_barrier = true);
ALTER VIEW tsetp.my_facility_assessment SET (security_barrier = true);
ALTER VIEW tsetp.ledger_movement SET (security_barrier = true);
ALTER VIEW tsetp.account_balance SET (security_barrier = true);
ALTER VIEW tsetp.ledger_report SET (security_barrier = true);
-- The published reports join rows their readers may not read themselves
-- (the plan periods and categories no facility is in): barriers too.
ALTER VIEW tsetp.compliance_report SET (security_barrier = true);
ALTER VIEW tsetp.programme_summary SET (security_barrier = true);

-- Coverage follows the facility's row-level security.
ALTER VIEW tsetp.facility_coverage SET (security_invoker = true);
GRANT SELECT ON tsetp.coverage, tsetp.facility_coverage TO tsetp_admin, tsetp_operator;
ALTER TABLE tsetp.coverage ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.coverage FOR SELECT TO tsetp_admin USING (true);
CREATE POLICY own ON tsetp.coverage FOR SELECT TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f));

-- Row-level security: the prefecture sees everything, an operator its own.
-- The policies for operators go through tsetp.holder_member, and from
-- facilities and accounts on to the rows that belong to them.

ALTER TABLE tsetp.holder_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.holder_member TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.holder_member FOR SELECT TO PUBLIC
    USING (tsetp.acts_as(member));

ALTER TABLE tsetp.facility ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.facility TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY verifier_read ON tsetp.facility FOR SELECT TO tsetp_verifier USING (true);
CREATE POLICY own ON tsetp.facility FOR SELECT TO tsetp_operator
    USING (operator IN (SELECT m.holder FROM tsetp.holder_member m));

ALTER TABLE tsetp.energy_use ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.energy_use TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.energy_use TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f))
    WITH CHECK (facility_id IN (SELECT f.id FROM tsetp.facility f));

ALTER TABLE tsetp.emission ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.emission TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY verifier_all ON tsetp.emission TO tsetp_verifier USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.emission TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f))
    WITH CHECK (facility_id IN (SELECT f.id FROM tsetp.facility f) AND verified_by IS NULL);

ALTER TABLE tsetp.base_emission ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.base_emission TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.base_emission FOR SELECT TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f));

ALTER TABLE tsetp.certification ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.certification TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.certification FOR SELECT TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f));

ALTER TABLE tsetp.account ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.account TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.account FOR SELECT TO tsetp_operator
    USING (holder IN (SELECT m.holder FROM tsetp.holder_member m));
CREATE POLICY open_general ON tsetp.account FOR INSERT TO tsetp_operator
    WITH CHECK (account_type = 'general' AND status = 'open' AND facility_id IS NULL
                AND commitment_reserve OPERATOR(tsetp.=) '0'::tsetp.tco2
                AND holder IN (SELECT m.holder FROM tsetp.holder_member m));

ALTER TABLE tsetp.holding ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.holding FOR SELECT TO tsetp_admin USING (true);
CREATE POLICY own ON tsetp.holding FOR SELECT TO tsetp_operator
    USING (account IN (SELECT a.number FROM tsetp.account a));

ALTER TABLE tsetp.ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.ledger TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.ledger FOR SELECT TO tsetp_operator
    USING (from_account IN (SELECT a.number FROM tsetp.account a)
           OR to_account IN (SELECT a.number FROM tsetp.account a));
CREATE POLICY request ON tsetp.ledger FOR INSERT TO tsetp_operator
    WITH CHECK (type IN ('transfer', 'surrender', 'retire')
                AND from_account IN (SELECT a.number FROM tsetp.account a));

ALTER TABLE tsetp.approval ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.approval TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.approval FOR SELECT TO tsetp_operator
    USING (transaction_id IN (SELECT l.id FROM tsetp.ledger l));
CREATE POLICY withdraw ON tsetp.approval FOR INSERT TO tsetp_operator
    WITH CHECK (decision = 'withdrawn' AND transaction_id IN (SELECT l.id FROM tsetp.ledger l));
