-- Included by the demo's registry scripts (\ir): approves, as the role
-- approver (a second tsetp_admin: four-eyes), every transaction waiting for
-- approval.
CREATE PROCEDURE pg_temp.approve_pending()
    LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO tsetp.approval (transaction_id, decision)
    SELECT l.id, 'approved' FROM tsetp.ledger l
     WHERE l.needs_approval AND NOT EXISTS (SELECT 1 FROM tsetp.approval a WHERE a.transaction_id = l.id)
     ORDER BY l.id;
END;
GRANT EXECUTE ON PROCEDURE pg_temp.approve_pending() TO approver;
