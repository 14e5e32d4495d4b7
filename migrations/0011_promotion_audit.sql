-- 0011_promotion_audit.sql - a waitlist promotion goes into the audit trail,
-- with the actor whose change set it off.
--
-- A promotion is the database's own doing (a seat freed by a cancellation,
-- a move, or a capacity raise through sections_capacity_raised), so the
-- application cannot write its audit row. The actor reaches this function
-- through the transaction-local setting lms.actor_user_id, which the
-- application sets before the change (as it already does for
-- enrollment_events); without one the row names no actor.
CREATE OR REPLACE FUNCTION enrollment_promote(p_section bigint, p_reason text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	free integer;
	n integer;
BEGIN
	SELECT capacity - enrolled_count INTO free FROM sections
		WHERE id = p_section AND status <> 'cancelled';
	IF free IS NULL OR free <= 0 THEN
		RETURN 0;
	END IF;
	PERFORM set_config('lms.reason', p_reason, true);
	WITH promoted AS (
		UPDATE enrollments SET status = 'enrolled'
			WHERE id IN (SELECT id FROM enrollments
				WHERE section_id = p_section AND status = 'waitlisted'
				ORDER BY waitlist_seq LIMIT free)
			RETURNING id, user_id)
	INSERT INTO audit_log (actor_user_id, remote_addr, request_id, action, target_type,
			target_id, institution_id, detail)
		SELECT nullif(current_setting('lms.actor_user_id', true), '')::bigint,
			nullif(current_setting('lms.remote_addr', true), '')::inet,
			nullif(current_setting('lms.request_id', true), ''),
			'enrollment.promote', 'enrollment', p.id, c.institution_id,
			jsonb_build_object('section_id', p_section, 'user_id', p.user_id,
				'reason', p_reason)
		FROM promoted p, sections s JOIN courses c ON c.id = s.course_id
		WHERE s.id = p_section;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;
