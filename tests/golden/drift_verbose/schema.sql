-- What production has (a pg_dump, trimmed)
CREATE TYPE public."Role" AS ENUM ('USER', 'ADMIN');

CREATE TABLE public."User" (
    id integer NOT NULL,
    email text NOT NULL,
    role public."Role" DEFAULT 'USER'::public."Role" NOT NULL,
    "createdAt" timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    nickname text
);
CREATE SEQUENCE public."User_id_seq" AS integer;
ALTER SEQUENCE public."User_id_seq" OWNED BY public."User".id;
ALTER TABLE ONLY public."User" ALTER COLUMN id SET DEFAULT nextval('public."User_id_seq"'::regclass);

CREATE TABLE public."Post" (
    id integer NOT NULL,
    title character varying(100) NOT NULL,
    "authorId" integer
);
CREATE SEQUENCE public."Post_id_seq" AS integer;
ALTER SEQUENCE public."Post_id_seq" OWNED BY public."Post".id;
ALTER TABLE ONLY public."Post" ALTER COLUMN id SET DEFAULT nextval('public."Post_id_seq"'::regclass);

ALTER TABLE ONLY public."User" ADD CONSTRAINT "User_pkey" PRIMARY KEY (id);
ALTER TABLE ONLY public."Post" ADD CONSTRAINT "Post_pkey" PRIMARY KEY (id);
CREATE UNIQUE INDEX "User_email_uniq" ON public."User" USING btree (email);
CREATE INDEX post_title_lower ON public."Post" USING btree (lower((title)::text));
ALTER TABLE ONLY public."Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES public."User"(id) ON UPDATE CASCADE ON DELETE SET NULL;
