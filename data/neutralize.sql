-- A neutralized copy of a production database must never fiscalize:
-- switch the integration off in every company and forget every token.
UPDATE res_company SET vchasno_enabled = false;
UPDATE vchasno_register SET api_token = NULL;
