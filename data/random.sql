-- Included by the data scripts (\ir): a uniform number in [0, 1) from
-- (seed, n, salt). Hashes, not random(), so the data do not depend on the
-- order in which a plan evaluates rows.
CREATE FUNCTION pg_temp.h(seed bigint, n bigint, salt bigint) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8extended(n * 1000003 + salt, seed) & 2147483647)::numeric / 2147483648);
