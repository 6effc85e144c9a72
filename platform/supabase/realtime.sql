-- The part of the realtime schema that migrations call: written from the functions supabase/realtime's own
-- migrations create (realtime.messages, realtime.topic(), realtime.send(), realtime.broadcast_changes()), with the
-- signatures of Supabase's hosted platform. Bodies are reduced to what a throwaway cluster needs: the message goes
-- into realtime.messages.
CREATE TABLE IF NOT EXISTS realtime.messages (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  topic text NOT NULL,
  extension text NOT NULL,
  payload jsonb,
  event text,
  private boolean DEFAULT false,
  updated_at timestamp without time zone NOT NULL DEFAULT now(),
  inserted_at timestamp without time zone NOT NULL DEFAULT now(),
  CONSTRAINT messages_pkey PRIMARY KEY (id)
);
ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;

CREATE OR REPLACE FUNCTION realtime.topic() RETURNS text
  LANGUAGE sql STABLE
  AS $$ select nullif(current_setting('realtime.topic', true), '')::text; $$;

CREATE OR REPLACE FUNCTION realtime.send(payload jsonb, event text, topic text, private boolean DEFAULT true)
  RETURNS void
  LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO realtime.messages (payload, event, topic, private, extension)
  VALUES (payload, event, topic, private, 'broadcast');
END;
$$;

CREATE OR REPLACE FUNCTION realtime.broadcast_changes(topic_name text, event_name text, operation text,
                                                      table_name text, table_schema text, new record, old record,
                                                      level text DEFAULT 'ROW')
  RETURNS void
  LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM realtime.send(
    jsonb_build_object('operation', operation, 'table', table_name, 'schema', table_schema,
                       'record', to_jsonb(new), 'old_record', to_jsonb(old)),
    event_name, topic_name, true);
END;
$$;
