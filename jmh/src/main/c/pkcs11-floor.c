/*
 * The floor for the pkcs11 benchmark family: the same PKCS#11 calls the Java backends make, from C,
 * in a loop, one session per thread. Built by jmh/pkcs11-floor.sh against the system's pkcs11.h.
 *
 * usage: pkcs11-floor MODULE TOKEN_LABEL PIN OPERATION THREADS WARMUP_S MEASURE_S
 * OPERATION: aes-gcm (1 KiB encrypt), wrap-pad (32-byte secret: create, CKM_AES_KEY_WRAP_PAD,
 * destroy, as the ffm backend does), unwrap-pad (its inverse: C_UnwrapKey into a session secret,
 * one C_GetAttributeValue of CKA_VALUE, destroy), ecdsa-p256 (32 bytes of data hashed with SHA-256 here, then
 * CKM_ECDSA over the digest: SoftHSM2 has no CKM_ECDSA_SHA256, so the backends hash too),
 * ecdsa-p256-token-key (the same with the token object itself: all a backend that cannot copy
 * objects, such as SunPKCS11, can do), rsa-pss-2048 (CKM_SHA256_RSA_PKCS_PSS over 32 bytes of data).
 * Keys are token objects made for the run (all of a JMH trial's keys, whatever the operation), with
 * the attributes the ffm backend gives them, and destroyed after it; signatures use a session copy
 * of the private key, as the ffm and iaik backends do on SoftHSM2. Prints one line:
 * OPERATION THREADS OPS_PER_SECOND CPU_MICROSECONDS_PER_OPERATION
 * The last is the workers' CPU time (module included) over every operation they ran, warm-up too:
 * on a shared machine it moves far less than the rate does.
 *
 * Built with -shared -DPKCS11_FLOOR_LIBRARY it is instead a library that InJvmFloorBenchmark loads
 * into a JVM whose ffm backend has initialised the module and logged in: pkcs11_floor_attach opens
 * a session of its own and finds the benchmark's keys by label, pkcs11_floor_run runs the same
 * calls as above COUNT times on a session of the calling thread's own, so the floor's loop and the
 * backend run in the same kind of process, on as many threads as the caller runs.
 */
#define CK_PTR *
#define CK_DECLARE_FUNCTION(returnType, name) returnType name
#define CK_DECLARE_FUNCTION_POINTER(returnType, name) returnType(*name)
#define CK_CALLBACK_FUNCTION(returnType, name) returnType(*name)
#ifndef NULL_PTR
#define NULL_PTR 0
#endif
#include <p11-kit/pkcs11.h>

#include <dlfcn.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static CK_FUNCTION_LIST_PTR p11;
static CK_SLOT_ID slot;
/* Index 0: the EC P-256 pair, 1: the RSA-2048 pair. */
static CK_OBJECT_HANDLE secret_key, private_keys[2], signing_keys[2];
/* The wrap-pad result that unwrap-pad opens, made once before the workers start. */
static CK_BYTE wrapped[48];
static CK_ULONG wrapped_length = sizeof wrapped;
#ifndef PKCS11_FLOOR_LIBRARY
static const char *operation;
static CK_OBJECT_HANDLE public_keys[2];
static atomic_int measuring;
static atomic_int stopping;
#endif

static void check(CK_RV rv, const char *what) {
  if (rv != CKR_OK) {
    fprintf(stderr, "pkcs11-floor: %s failed: 0x%lx\n", what, (unsigned long)rv);
    exit(1);
  }
}

static CK_SESSION_HANDLE open_session(void) {
  CK_SESSION_HANDLE session;
  check(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &session),
        "C_OpenSession");
  return session;
}

static CK_SLOT_ID find_slot(const char *label) {
  CK_ULONG count = 0;
  check(p11->C_GetSlotList(CK_TRUE, NULL, &count), "C_GetSlotList");
  CK_SLOT_ID *slots = calloc(count, sizeof(CK_SLOT_ID));
  check(p11->C_GetSlotList(CK_TRUE, slots, &count), "C_GetSlotList");
  for (CK_ULONG i = 0; i < count; i++) {
    CK_TOKEN_INFO info;
    check(p11->C_GetTokenInfo(slots[i], &info), "C_GetTokenInfo");
    size_t n = strlen(label);
    if (n <= 32 && memcmp(info.label, label, n) == 0 &&
        (n == 32 || info.label[n] == ' ')) {
      CK_SLOT_ID found = slots[i];
      free(slots);
      return found;
    }
  }
  fprintf(stderr, "pkcs11-floor: no token labelled %s\n", label);
  exit(1);
}

#ifndef PKCS11_FLOOR_LIBRARY
static void make_key_pair(CK_SESSION_HANDLE session, int rsa);

/*
 * The keys a JMH trial of the pkcs11 family makes (an AES key, an EC P-256 and an RSA-2048 pair),
 * whatever the operation: SoftHSM2 consults its token's objects on use, so the floor's token holds
 * as many as the benchmark's does.
 */
static void make_keys(CK_SESSION_HANDLE session) {
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  char label[64];
  snprintf(label, sizeof label, "floor-aes-%ld", (long)getpid());
  {
    CK_OBJECT_CLASS class = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_AES;
    CK_ULONG length = 32;
    CK_ATTRIBUTE template[] = {
        {CKA_CLASS, &class, sizeof class},     {CKA_KEY_TYPE, &type, sizeof type},
        {CKA_TOKEN, &yes, 1},                  {CKA_PRIVATE, &yes, 1},
        {CKA_SENSITIVE, &yes, 1},              {CKA_EXTRACTABLE, &no, 1},
        {CKA_ENCRYPT, &yes, 1},                {CKA_DECRYPT, &yes, 1},
        {CKA_WRAP, &yes, 1},                   {CKA_UNWRAP, &yes, 1},
        {CKA_VALUE_LEN, &length, sizeof length}, {CKA_LABEL, label, strlen(label)},
    };
    CK_MECHANISM mechanism = {CKM_AES_KEY_GEN, NULL, 0};
    check(p11->C_GenerateKey(session, &mechanism, template, sizeof template / sizeof *template,
                             &secret_key),
          "C_GenerateKey");
  }
  make_key_pair(session, 0);
  make_key_pair(session, 1);
}

static void make_key_pair(CK_SESSION_HANDLE session, int rsa) {
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  char label[64];
  snprintf(label, sizeof label, "floor-%s-%ld", rsa ? "rsa" : "ec", (long)getpid());
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY, private_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE type = rsa ? CKK_RSA : CKK_EC;
  CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
  CK_BYTE exponent[] = {1, 0, 1};
  CK_ULONG bits = 2048;
  CK_ATTRIBUTE public_template[] = {
      {CKA_CLASS, &public_class, sizeof public_class},
      {CKA_KEY_TYPE, &type, sizeof type},
      {CKA_TOKEN, &yes, 1},
      {CKA_PRIVATE, &no, 1},
      {CKA_VERIFY, &yes, 1},
      {CKA_ENCRYPT, &no, 1},
      {CKA_WRAP, &no, 1},
      {CKA_LABEL, label, strlen(label)},
      {rsa ? CKA_MODULUS_BITS : CKA_EC_PARAMS, rsa ? (void *)&bits : (void *)p256,
       rsa ? sizeof bits : sizeof p256},
      {CKA_PUBLIC_EXPONENT, exponent, sizeof exponent},
  };
  CK_ATTRIBUTE private_template[] = {
      {CKA_CLASS, &private_class, sizeof private_class},
      {CKA_KEY_TYPE, &type, sizeof type},
      {CKA_TOKEN, &yes, 1},
      {CKA_PRIVATE, &yes, 1},
      {CKA_SENSITIVE, &yes, 1},
      {CKA_EXTRACTABLE, &no, 1},
      {CKA_SIGN, &yes, 1},
      {CKA_DECRYPT, &no, 1},
      {CKA_UNWRAP, &no, 1},
      {CKA_DERIVE, &no, 1},
      {CKA_LABEL, label, strlen(label)},
  };
  CK_MECHANISM mechanism = {rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0};
  check(p11->C_GenerateKeyPair(session, &mechanism, public_template, rsa ? 10 : 9,
                               private_template, 11, &public_keys[rsa], &private_keys[rsa]),
        "C_GenerateKeyPair");
  /* As the ffm backend does on SoftHSM2 (quirk TOKEN_OBJECTS_REREAD_ON_USE: it re-reads a token
   * object from disk for every attribute it consults), sign with an unnamed session copy of the
   * private key, made once. */
  CK_ATTRIBUTE copy_template[] = {
      {CKA_TOKEN, &no, 1},
      {CKA_LABEL, label, 0},
      {CKA_ID, label, 0},
  };
  check(p11->C_CopyObject(session, private_keys[rsa], copy_template, 3, &signing_keys[rsa]),
        "C_CopyObject");
}

#endif

/* One operation, exactly the calls the ffm backend makes for it. */
static void run_once(const char *name, CK_SESSION_HANDLE session, CK_BYTE *in, CK_BYTE *out) {
  if (strcmp(name, "aes-gcm") == 0) {
    CK_BYTE iv[12] = {0};
    CK_GCM_PARAMS params = {iv, 12, 96, NULL, 0, 128};
    CK_MECHANISM mechanism = {CKM_AES_GCM, &params, sizeof params};
    CK_ULONG out_length = 1024 + 16;
    check(p11->C_EncryptInit(session, &mechanism, secret_key), "C_EncryptInit");
    check(p11->C_Encrypt(session, in, 1024, out, &out_length), "C_Encrypt");
  } else if (strcmp(name, "wrap-pad") == 0) {
    CK_OBJECT_CLASS class = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE template[] = {
        {CKA_CLASS, &class, sizeof class}, {CKA_KEY_TYPE, &type, sizeof type},
        {CKA_TOKEN, &no, 1},               {CKA_PRIVATE, &yes, 1},
        {CKA_SENSITIVE, &yes, 1},          {CKA_EXTRACTABLE, &yes, 1},
        {CKA_VALUE, in, 32},
    };
    CK_OBJECT_HANDLE temporary;
    check(p11->C_CreateObject(session, template, 7, &temporary), "C_CreateObject");
    CK_MECHANISM mechanism = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
    CK_ULONG out_length = 48;
    check(p11->C_WrapKey(session, &mechanism, secret_key, temporary, out, &out_length),
          "C_WrapKey");
    check(p11->C_DestroyObject(session, temporary), "C_DestroyObject");
  } else if (strcmp(name, "unwrap-pad") == 0) {
    CK_OBJECT_CLASS class = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE template[] = {
        {CKA_CLASS, &class, sizeof class}, {CKA_KEY_TYPE, &type, sizeof type},
        {CKA_TOKEN, &no, 1},               {CKA_PRIVATE, &yes, 1},
        {CKA_SENSITIVE, &no, 1},           {CKA_EXTRACTABLE, &yes, 1},
    };
    CK_MECHANISM mechanism = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
    CK_OBJECT_HANDLE temporary;
    check(p11->C_UnwrapKey(session, &mechanism, secret_key, wrapped, wrapped_length, template, 6,
                           &temporary),
          "C_UnwrapKey");
    CK_ATTRIBUTE value = {CKA_VALUE, out, wrapped_length - 8};
    check(p11->C_GetAttributeValue(session, temporary, &value, 1), "C_GetAttributeValue");
    check(p11->C_DestroyObject(session, temporary), "C_DestroyObject");
  } else if (strncmp(name, "ecdsa-p256", 10) == 0) {
    CK_BYTE digest[SHA256_DIGEST_LENGTH];
    SHA256(in, 32, digest);
    CK_MECHANISM mechanism = {CKM_ECDSA, NULL, 0};
    CK_ULONG out_length = 64;
    CK_OBJECT_HANDLE key =
        strcmp(name, "ecdsa-p256-token-key") == 0 ? private_keys[0] : signing_keys[0];
    check(p11->C_SignInit(session, &mechanism, key), "C_SignInit");
    check(p11->C_Sign(session, digest, sizeof digest, out, &out_length), "C_Sign");
  } else {
    CK_RSA_PKCS_PSS_PARAMS params = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_MECHANISM mechanism = {CKM_SHA256_RSA_PKCS_PSS, &params, sizeof params};
    CK_ULONG out_length = 256;
    check(p11->C_SignInit(session, &mechanism, signing_keys[1]), "C_SignInit");
    check(p11->C_Sign(session, in, 32, out, &out_length), "C_Sign");
  }
}

#ifdef PKCS11_FLOOR_LIBRARY
/* The session that found the keys and made the signing copy; each calling thread has its own. */
static CK_SESSION_HANDLE library_session;
static _Thread_local CK_SESSION_HANDLE thread_session = CK_INVALID_HANDLE;
static _Thread_local CK_BYTE thread_in[1024], thread_out[2048];

static CK_OBJECT_HANDLE find_object(CK_OBJECT_CLASS class, const char *label) {
  CK_ATTRIBUTE template[] = {{CKA_CLASS, &class, sizeof class},
                             {CKA_LABEL, (void *)label, strlen(label)}};
  CK_OBJECT_HANDLE found[2];
  CK_ULONG count = 0;
  check(p11->C_FindObjectsInit(library_session, template, 2), "C_FindObjectsInit");
  check(p11->C_FindObjects(library_session, found, 2, &count), "C_FindObjects");
  check(p11->C_FindObjectsFinal(library_session), "C_FindObjectsFinal");
  if (count != 1) {
    fprintf(stderr, "pkcs11-floor: %lu objects labelled %s\n", (unsigned long)count, label);
    exit(1);
  }
  return found[0];
}

/* Returns 0, or 1 when MODULE is not loaded in this process yet. */
int pkcs11_floor_attach(const char *module, const char *token_label, const char *aes_label,
                        const char *ec_label) {
  void *loaded = dlopen(module, RTLD_NOW | RTLD_NOLOAD);
  if (loaded == NULL) {
    return 1;
  }
  CK_C_GetFunctionList get_function_list =
      (CK_C_GetFunctionList)dlsym(loaded, "C_GetFunctionList");
  check(get_function_list(&p11), "C_GetFunctionList");
  slot = find_slot(token_label);
  library_session = open_session();
  secret_key = find_object(CKO_SECRET_KEY, aes_label);
  private_keys[0] = find_object(CKO_PRIVATE_KEY, ec_label);
  CK_BBOOL no = CK_FALSE;
  CK_ATTRIBUTE copy_template[] = {
      {CKA_TOKEN, &no, 1},
      {CKA_LABEL, (void *)ec_label, 0},
      {CKA_ID, (void *)ec_label, 0},
  };
  check(p11->C_CopyObject(library_session, private_keys[0], copy_template, 3, &signing_keys[0]),
        "C_CopyObject");
  CK_BYTE secret[32];
  memset(secret, 0x5A, sizeof secret);
  run_once("wrap-pad", library_session, secret, wrapped);
  wrapped_length = 40;
  return 0;
}

/*
 * Runs operation NAME COUNT times on the calling thread's session, opened on its first call (the
 * module's login covers it), as each worker of the executable has one.
 */
void pkcs11_floor_run(const char *name, long count) {
  if (thread_session == CK_INVALID_HANDLE) {
    thread_session = open_session();
    memset(thread_in, 0x5A, sizeof thread_in);
  }
  for (long i = 0; i < count; i++) {
    run_once(name, thread_session, thread_in, thread_out);
  }
}
#else
/* What one worker did: operations while measuring, all operations, its CPU time. */
struct work {
  long measured;
  long all;
  double cpu_seconds;
};

static void *worker(void *result) {
  CK_SESSION_HANDLE session = open_session();
  CK_BYTE in[1024], out[2048];
  memset(in, 0x5A, sizeof in);
  struct work *work = result;
  while (!atomic_load(&stopping)) {
    run_once(operation, session, in, out);
    work->all++;
    if (atomic_load(&measuring)) {
      work->measured++;
    }
  }
  struct timespec cpu;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  work->cpu_seconds = cpu.tv_sec + cpu.tv_nsec / 1e9;
  p11->C_CloseSession(session);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr,
            "usage: %s MODULE TOKEN_LABEL PIN "
            "aes-gcm|wrap-pad|unwrap-pad|ecdsa-p256|ecdsa-p256-token-key|rsa-pss-2048 THREADS "
            "WARMUP_S MEASURE_S\n",
            argv[0]);
    return 2;
  }
  operation = argv[4];
  int threads = atoi(argv[5]);
  int warmup = atoi(argv[6]);
  int measure = atoi(argv[7]);
  void *module = dlopen(argv[1], RTLD_NOW);
  if (module == NULL) {
    fprintf(stderr, "pkcs11-floor: %s\n", dlerror());
    return 1;
  }
  CK_C_GetFunctionList get_function_list =
      (CK_C_GetFunctionList)dlsym(module, "C_GetFunctionList");
  check(get_function_list(&p11), "C_GetFunctionList");
  CK_C_INITIALIZE_ARGS init = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
  check(p11->C_Initialize(&init), "C_Initialize");
  slot = find_slot(argv[2]);
  CK_SESSION_HANDLE admin = open_session();
  check(p11->C_Login(admin, CKU_USER, (CK_UTF8CHAR_PTR)argv[3], strlen(argv[3])), "C_Login");
  make_keys(admin);
  if (strcmp(operation, "unwrap-pad") == 0) {
    CK_BYTE secret[32];
    memset(secret, 0x5A, sizeof secret);
    run_once("wrap-pad", admin, secret, wrapped);
    wrapped_length = 40; /* RFC 5649: a 32-byte secret plus the 8-byte integrity block */
  }

  pthread_t *ids = calloc(threads, sizeof(pthread_t));
  struct work *works = calloc(threads, sizeof(struct work));
  for (int t = 0; t < threads; t++) {
    pthread_create(&ids[t], NULL, worker, &works[t]);
  }
  sleep(warmup);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  atomic_store(&measuring, 1);
  sleep(measure);
  atomic_store(&measuring, 0);
  clock_gettime(CLOCK_MONOTONIC, &end);
  atomic_store(&stopping, 1);
  long total = 0, all = 0;
  double cpu_seconds = 0;
  for (int t = 0; t < threads; t++) {
    pthread_join(ids[t], NULL);
    total += works[t].measured;
    all += works[t].all;
    cpu_seconds += works[t].cpu_seconds;
  }
  double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%s %d %.0f %.1f\n", operation, threads, total / seconds, cpu_seconds * 1e6 / all);

  p11->C_DestroyObject(admin, secret_key);
  for (int pair = 0; pair < 2; pair++) {
    p11->C_DestroyObject(admin, signing_keys[pair]);
    p11->C_DestroyObject(admin, private_keys[pair]);
    p11->C_DestroyObject(admin, public_keys[pair]);
  }
  p11->C_Logout(admin);
  p11->C_CloseSession(admin);
  p11->C_Finalize(NULL);
  return 0;
}
#endif
