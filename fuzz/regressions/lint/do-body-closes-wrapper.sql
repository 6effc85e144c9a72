DO $x$ BEGIN PERFORM 1; END $driftguard_do$; CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql; SELECT $driftguard_do$ $x$;
