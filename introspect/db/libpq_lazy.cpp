// libpq, loaded when driftguard first connects instead of when it starts. libpq needs some twenty libraries of its
// own (OpenSSL, Kerberos, LDAP, GnuTLS, ...): mapping and relocating them was two thirds of the start-up of every
// command, `lint` of one file included, which never connects (bench/RESULTS.md, tenth session). So the binary is
// not linked with libpq: libpqxx is linked statically, and each libpq function it or driftguard calls is defined
// here, opening libpq.so.5 (dlopen, searched like a linked library: the binary's rpath first, so the tarball's
// lib/) and looking the function up on its first call. The definitions are checked against libpq-fe.h: a changed
// signature does not compile, a function missing from this list does not link.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <stdexcept>
#include <string>

namespace {

constexpr const char* kLibpq = "libpq.so.5";

void* libpq() {
  static void* handle = [] {
    void* h = dlopen(kLibpq, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      const char* why = dlerror();
      throw std::runtime_error(std::string("cannot load ") + kLibpq +
                               ", PostgreSQL's client library, which connecting needs (Debian: apt-get install libpq5): " +
                               (why != nullptr ? why : "not found"));
    }
    return h;
  }();  // a failure throws and is tried again at the next call
  return handle;
}

void* symbol(const char* name) {
  void* f = dlsym(libpq(), name);
  if (f == nullptr) throw std::runtime_error(std::string(kLibpq) + " has no function " + name);
  return f;
}

}  // namespace

// X(return type, name, (parameters), (arguments))
#define DRIFTGUARD_LIBPQ_FUNCTIONS(X) \
  X(int, PQbackendPID, (const PGconn* conn), (conn)) \
  X(int, PQcancel, (PGcancel* cancel, char* errbuf, int errbufsize), (cancel, errbuf, errbufsize)) \
  X(void, PQclear, (PGresult* res), (res)) \
  X(int, PQclientEncoding, (const PGconn* conn), (conn)) \
  X(char*, PQcmdStatus, (PGresult* res), (res)) \
  X(char*, PQcmdTuples, (PGresult* res), (res)) \
  X(PostgresPollingStatusType, PQconnectPoll, (PGconn* conn), (conn)) \
  X(PGconn*, PQconnectStart, (const char* conninfo), (conninfo)) \
  X(PGconn*, PQconnectdb, (const char* conninfo), (conninfo)) \
  X(void, PQconninfoFree, (PQconninfoOption* connOptions), (connOptions)) \
  X(PQconninfoOption*, PQconninfoParse, (const char* conninfo, char** errmsg), (conninfo, errmsg)) \
  X(int, PQconsumeInput, (PGconn* conn), (conn)) \
  X(char*, PQdb, (const PGconn* conn), (conn)) \
  X(char*, PQencryptPassword, (const char* passwd, const char* user), (passwd, user)) \
  X(int, PQendcopy, (PGconn* conn), (conn)) \
  X(char*, PQerrorMessage, (const PGconn* conn), (conn)) \
  X(unsigned char*, PQescapeByteaConn, (PGconn* conn, const unsigned char* from, size_t from_length, size_t* to_length), (conn, from, from_length, to_length)) \
  X(char*, PQescapeIdentifier, (PGconn* conn, const char* str, size_t len), (conn, str, len)) \
  X(size_t, PQescapeStringConn, (PGconn* conn, char* to, const char* from, size_t length, int* error), (conn, to, from, length, error)) \
  X(PGresult*, PQexec, (PGconn* conn, const char* query), (conn, query)) \
  X(PGresult*, PQexecParams, (PGconn* conn, const char* command, int nParams, const Oid* paramTypes, const char* const* paramValues, const int* paramLengths, const int* paramFormats, int resultFormat), (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
  X(PGresult*, PQexecPrepared, (PGconn* conn, const char* stmtName, int nParams, const char* const* paramValues, const int* paramLengths, const int* paramFormats, int resultFormat), (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat)) \
  X(void, PQfinish, (PGconn* conn), (conn)) \
  X(char*, PQfname, (const PGresult* res, int field_num), (res, field_num)) \
  X(int, PQfnumber, (const PGresult* res, const char* field_name), (res, field_name)) \
  X(void, PQfreeCancel, (PGcancel* cancel), (cancel)) \
  X(void, PQfreemem, (void* ptr), (ptr)) \
  X(Oid, PQftable, (const PGresult* res, int field_num), (res, field_num)) \
  X(int, PQftablecol, (const PGresult* res, int field_num), (res, field_num)) \
  X(Oid, PQftype, (const PGresult* res, int field_num), (res, field_num)) \
  X(PGcancel*, PQgetCancel, (PGconn* conn), (conn)) \
  X(int, PQgetCopyData, (PGconn* conn, char** buffer, int async), (conn, buffer, async)) \
  X(PGresult*, PQgetResult, (PGconn* conn), (conn)) \
  X(int, PQgetisnull, (const PGresult* res, int tup_num, int field_num), (res, tup_num, field_num)) \
  X(int, PQgetlength, (const PGresult* res, int tup_num, int field_num), (res, tup_num, field_num)) \
  X(char*, PQgetvalue, (const PGresult* res, int tup_num, int field_num), (res, tup_num, field_num)) \
  X(char*, PQhost, (const PGconn* conn), (conn)) \
  X(int, PQisBusy, (PGconn* conn), (conn)) \
  X(int, PQisthreadsafe, (void), ()) \
  X(int, PQnfields, (const PGresult* res), (res)) \
  X(PGnotify*, PQnotifies, (PGconn* conn), (conn)) \
  X(int, PQntuples, (const PGresult* res), (res)) \
  X(Oid, PQoidValue, (const PGresult* res), (res)) \
  X(char*, PQport, (const PGconn* conn), (conn)) \
  X(PGresult*, PQprepare, (PGconn* conn, const char* stmtName, const char* query, int nParams, const Oid* paramTypes), (conn, stmtName, query, nParams, paramTypes)) \
  X(int, PQprotocolVersion, (const PGconn* conn), (conn)) \
  X(int, PQputCopyData, (PGconn* conn, const char* buffer, int nbytes), (conn, buffer, nbytes)) \
  X(int, PQputCopyEnd, (PGconn* conn, const char* errormsg), (conn, errormsg)) \
  X(void, PQreset, (PGconn* conn), (conn)) \
  X(char*, PQresultErrorField, (const PGresult* res, int fieldcode), (res, fieldcode)) \
  X(char*, PQresultErrorMessage, (const PGresult* res), (res)) \
  X(ExecStatusType, PQresultStatus, (const PGresult* res), (res)) \
  X(int, PQsendQuery, (PGconn* conn, const char* query), (conn, query)) \
  X(int, PQserverVersion, (const PGconn* conn), (conn)) \
  X(int, PQsetClientEncoding, (PGconn* conn, const char* encoding), (conn, encoding)) \
  X(PGVerbosity, PQsetErrorVerbosity, (PGconn* conn, PGVerbosity verbosity), (conn, verbosity)) \
  X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn* conn, PQnoticeProcessor proc, void* arg), (conn, proc, arg)) \
  X(int, PQsocket, (const PGconn* conn), (conn)) \
  X(ConnStatusType, PQstatus, (const PGconn* conn), (conn)) \
  X(void, PQtrace, (PGconn* conn, FILE* debug_port), (conn, debug_port)) \
  X(PGTransactionStatusType, PQtransactionStatus, (const PGconn* conn), (conn)) \
  X(unsigned char*, PQunescapeBytea, (const unsigned char* strtext, size_t* retbuflen), (strtext, retbuflen)) \
  X(void, PQuntrace, (PGconn* conn), (conn)) \
  X(char*, PQuser, (const PGconn* conn), (conn)) \
  X(int, lo_close, (PGconn* conn, int fd), (conn, fd)) \
  X(Oid, lo_creat, (PGconn* conn, int mode), (conn, mode)) \
  X(int, lo_export, (PGconn* conn, Oid lobjId, const char* filename), (conn, lobjId, filename)) \
  X(Oid, lo_import, (PGconn* conn, const char* filename), (conn, filename)) \
  X(int, lo_lseek, (PGconn* conn, int fd, int offset, int whence), (conn, fd, offset, whence)) \
  X(int, lo_open, (PGconn* conn, Oid lobjId, int mode), (conn, lobjId, mode)) \
  X(int, lo_read, (PGconn* conn, int fd, char* buf, size_t len), (conn, fd, buf, len)) \
  X(int, lo_tell, (PGconn* conn, int fd), (conn, fd)) \
  X(int, lo_unlink, (PGconn* conn, Oid lobjId), (conn, lobjId)) \
  X(int, lo_write, (PGconn* conn, int fd, const char* buf, size_t len), (conn, fd, buf, len)) \
  X(const char*, pg_encoding_to_char, (int encoding), (encoding))

// Each function resolved once (a thread-safe static); the call is then one indirect jump more than a linked one.
#define DRIFTGUARD_LIBPQ_DEFINE(ret, name, params, args)                                     \
  extern "C" ret name params {                                                               \
    static const auto fn = reinterpret_cast<decltype(&name)>(symbol(#name));                 \
    return fn args;                                                                          \
  }
DRIFTGUARD_LIBPQ_FUNCTIONS(DRIFTGUARD_LIBPQ_DEFINE)
