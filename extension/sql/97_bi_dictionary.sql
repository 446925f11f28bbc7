-- The data dictionary a BI tool reads (Metabase, Superset, Power BI and
-- Excel over ODBC show column comments as field descriptions): every column
-- of the report views, and the operator classes and families that have no
-- comment of their own. Amount columns are numeric tonnes of CO2.

COMMENT ON COLUMN tsetp.compliance_report.programme IS 'Programme code (saitama, tokyo, jvets)';
COMMENT ON COLUMN tsetp.compliance_report.period_no IS 'Plan period number (削減計画期間)';
COMMENT ON COLUMN tsetp.compliance_report.period_years IS 'Fiscal years of the plan period, e.g. FY2015-FY2019';
COMMENT ON COLUMN tsetp.compliance_report.facility_id IS 'Facility id (tsetp.facility.id)';
COMMENT ON COLUMN tsetp.compliance_report.facility_code IS 'Facility number given by the programme (事業所番号)';
COMMENT ON COLUMN tsetp.compliance_report.facility_name IS 'Facility name (事業所名称)';
COMMENT ON COLUMN tsetp.compliance_report.operator IS 'Operator of the facility (事業者名)';
COMMENT ON COLUMN tsetp.compliance_report.category IS 'Target-rate category (Saitama 1-1, 1-2, 2)';
COMMENT ON COLUMN tsetp.compliance_report.years_covered IS 'Fiscal years of the period in which the facility is covered';
COMMENT ON COLUMN tsetp.compliance_report.years_verified IS 'Covered years with verified emissions so far';
COMMENT ON COLUMN tsetp.compliance_report.base_total IS 'Base emissions (基準排出量) summed over the covered years, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.target_total IS 'Reduction target (削減目標量) over the covered years: base × rate per year, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.emissions_total IS 'Verified emissions (実績排出量) of the verified years, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.reduction_total IS 'Reduction (排出削減量) of the verified years: base − emissions, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.excess IS 'Excess reduction (超過削減量) so far: reduction capped at half of base per year, minus the target, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.credits_banked IS 'The facility''s own excess reduction of an earlier period surrendered for this one (banking), t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.credits_acquired IS 'Other credits surrendered for this period (bought excess reduction, renewable-energy and other credits), t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.credits_applied IS 'All credits surrendered for this period: credits_banked + credits_acquired, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.shortfall IS 'Shortfall (削減不足量) once every year is verified: target − reduction − credits, at least 0; NULL while pending, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.penalty_obligation IS 'Tokyo: the shortfall × 1.3 ordered to be reduced when not achieved; NULL otherwise, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.outcome IS 'achieved_own, achieved_banking, achieved_trading, not_achieved, or pending while a covered year lacks verified emissions';

COMMENT ON COLUMN tsetp.programme_summary.programme IS 'Programme code';
COMMENT ON COLUMN tsetp.programme_summary.period_no IS 'Plan period number';
COMMENT ON COLUMN tsetp.programme_summary.period_years IS 'Fiscal years of the plan period';
COMMENT ON COLUMN tsetp.programme_summary.category IS 'Target-rate category code';
COMMENT ON COLUMN tsetp.programme_summary.category_ja IS 'Category name in Japanese (区分)';
COMMENT ON COLUMN tsetp.programme_summary.facilities IS 'Facilities covered in the period (事業所数)';
COMMENT ON COLUMN tsetp.programme_summary.base_total IS 'Base emissions of the covered years, summed over the facilities, t-CO2';
COMMENT ON COLUMN tsetp.programme_summary.target_total IS 'Reduction targets summed over the facilities, t-CO2';
COMMENT ON COLUMN tsetp.programme_summary.reduction_total IS 'Verified reductions summed over the facilities, t-CO2';
COMMENT ON COLUMN tsetp.programme_summary.target_rate IS 'target_total / base_total (目標削減率), a fraction: 0.15 = 15%';
COMMENT ON COLUMN tsetp.programme_summary.reduction_rate IS 'reduction_total / base_total (削減率), a fraction';
COMMENT ON COLUMN tsetp.programme_summary.achieved_own IS 'Facilities that met the target by their own reduction';
COMMENT ON COLUMN tsetp.programme_summary.achieved_banking IS 'Facilities that met it with their own excess carried from the previous period';
COMMENT ON COLUMN tsetp.programme_summary.achieved_trading IS 'Facilities that met it with credits from elsewhere';
COMMENT ON COLUMN tsetp.programme_summary.not_achieved IS 'Facilities that did not meet it (every year verified)';
COMMENT ON COLUMN tsetp.programme_summary.pending IS 'Facilities with a covered year not yet verified';

COMMENT ON COLUMN tsetp.account_balance.account IS 'Account number';
COMMENT ON COLUMN tsetp.account_balance.programme IS 'Programme of the account';
COMMENT ON COLUMN tsetp.account_balance.account_type IS 'designated (指定管理口座) or general (一般管理口座)';
COMMENT ON COLUMN tsetp.account_balance.holder IS 'Account holder';
COMMENT ON COLUMN tsetp.account_balance.facility_id IS 'Facility of a designated account; NULL for a general account';
COMMENT ON COLUMN tsetp.account_balance.status IS 'open, suspended or closed';
COMMENT ON COLUMN tsetp.account_balance.kind IS 'Credit kind (ER, RE, ...; tsetp.credit_kind)';
COMMENT ON COLUMN tsetp.account_balance.vintage IS 'Vintage fiscal year of the credits, e.g. FY2019';
COMMENT ON COLUMN tsetp.account_balance.free IS 'Units free to move, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.reserved IS 'Units reserved to transactions waiting for approval, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.balance IS 'Units held: free + reserved, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.surrendered IS 'Units surrendered from the account for a target, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.retired IS 'Units retired from the account, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.cancelled IS 'Units cancelled in the account, t-CO2';

COMMENT ON COLUMN tsetp.ledger_report.transaction_id IS 'Ledger transaction id';
COMMENT ON COLUMN tsetp.ledger_report.date IS 'When the transaction took effect, or was requested if it has not';
COMMENT ON COLUMN tsetp.ledger_report.requested_at IS 'When it was requested (registry clock)';
COMMENT ON COLUMN tsetp.ledger_report.effective_at IS 'When it took effect (on approval where approval is needed); NULL if it has not';
COMMENT ON COLUMN tsetp.ledger_report.type IS 'issue, transfer, surrender, retire, cancel or correction';
COMMENT ON COLUMN tsetp.ledger_report.status IS 'requested, completed, rejected, cancelled or reversed';
COMMENT ON COLUMN tsetp.ledger_report.programme IS 'Programme of the accounts';
COMMENT ON COLUMN tsetp.ledger_report.account IS 'The account this row is seen from';
COMMENT ON COLUMN tsetp.ledger_report.counterparty IS 'The other account; NULL for issues, surrenders, retirements and cancellations';
COMMENT ON COLUMN tsetp.ledger_report.kind IS 'Credit kind';
COMMENT ON COLUMN tsetp.ledger_report.amount_in IS 'Tonnes into the account; NULL on an outgoing row';
COMMENT ON COLUMN tsetp.ledger_report.amount_out IS 'Tonnes out of the account; NULL on an incoming row';
COMMENT ON COLUMN tsetp.ledger_report.correction IS 'True for a correction (it reverses the transaction in corrects)';
COMMENT ON COLUMN tsetp.ledger_report.corrects IS 'The transaction a correction reverses';
COMMENT ON COLUMN tsetp.ledger_report.reversed_by IS 'The correction that reversed this transaction';
COMMENT ON COLUMN tsetp.ledger_report.facility_id IS 'Surrender: the facility whose target it counts for';
COMMENT ON COLUMN tsetp.ledger_report.period_no IS 'Surrender: the plan period it counts for';
COMMENT ON COLUMN tsetp.ledger_report.blocks IS 'The serial blocks moved, space-separated (origin/kind/vintage/source/first-last)';
COMMENT ON COLUMN tsetp.ledger_report.requested_by IS 'Role that requested the transaction';
COMMENT ON COLUMN tsetp.ledger_report.decided_by IS 'Role that approved, rejected or withdrew it';
COMMENT ON COLUMN tsetp.ledger_report.note IS 'Free-text note of the request';
COMMENT ON COLUMN tsetp.ledger_report.requested_by_login IS 'Login (person) that requested the transaction, whatever role it acted as';
COMMENT ON COLUMN tsetp.ledger_report.decided_by_login IS 'Login (person) that approved, rejected or withdrew it, whatever role it acted as';

-- Operator classes and families without a comment of their own get one
-- that says what they are.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid, a.amname, c.opcname, c.opcdefault, format_type(c.opcintype, NULL) AS typ
               FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
              WHERE c.opcnamespace = 'tsetp'::regnamespace
                AND pg_catalog.obj_description(c.oid, 'pg_opclass') IS NULL LOOP
        EXECUTE pg_catalog.format('COMMENT ON OPERATOR CLASS tsetp.%I USING %I IS %L', r.opcname, r.amname,
            pg_catalog.format('%s %s operator class of %s', CASE WHEN r.opcdefault THEN 'Default' ELSE 'Non-default' END, r.amname, r.typ));
    END LOOP;
    FOR r IN SELECT f.oid, a.amname, f.opfname
               FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod
              WHERE f.opfnamespace = 'tsetp'::regnamespace
                AND pg_catalog.obj_description(f.oid, 'pg_opfamily') IS NULL LOOP
        EXECUTE pg_catalog.format('COMMENT ON OPERATOR FAMILY tsetp.%I USING %I IS %L', r.opfname, r.amname,
            pg_catalog.format('%s operator family %s of tsetp (its operator classes and cross-type operators)', r.amname, r.opfname));
    END LOOP;
END
$$;
