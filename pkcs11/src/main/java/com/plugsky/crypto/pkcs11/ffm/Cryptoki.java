package com.plugsky.crypto.pkcs11.ffm;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One PKCS#11 module, loaded and initialised once per JVM, with the functions of its {@code
 * CK_FUNCTION_LIST} bound as method handles.
 *
 * <p>Layouts are those of Linux and other LP64 systems: {@code CK_ULONG} is a C {@code unsigned
 * long} of 8 bytes and structures use natural alignment (checked against p11-kit's and the OASIS
 * {@code pkcs11.h}); the loader refuses a platform where {@code long} is not 8 bytes rather than
 * misread every structure. Every backend needs it there, not only {@code ffm}: the others find
 * tokens and mechanisms through {@link TokenDirectory}. Downcalls are not linked as critical: a
 * network HSM's call can block on I/O or on the module's own locks, and a critical call would hold
 * up the garbage collector for as long.
 *
 * <p>A module is never finalised: other code in the process (SunPKCS11, another {@code Hsm}) may
 * share its initialised state, and C_Finalize would pull it from under them.
 */
final class Cryptoki {
  static final ValueLayout.OfLong CK_ULONG = JAVA_LONG;
  static final AddressLayout POINTER = ADDRESS;

  static final StructLayout CK_VERSION =
      structLayout(JAVA_BYTE.withName("major"), JAVA_BYTE.withName("minor"));
  static final StructLayout CK_ATTRIBUTE =
      structLayout(
          CK_ULONG.withName("type"), POINTER.withName("pValue"), CK_ULONG.withName("ulValueLen"));
  static final StructLayout CK_MECHANISM =
      structLayout(
          CK_ULONG.withName("mechanism"),
          POINTER.withName("pParameter"),
          CK_ULONG.withName("ulParameterLen"));
  static final StructLayout CK_GCM_PARAMS =
      structLayout(
          POINTER.withName("pIv"),
          CK_ULONG.withName("ulIvLen"),
          CK_ULONG.withName("ulIvBits"),
          POINTER.withName("pAAD"),
          CK_ULONG.withName("ulAADLen"),
          CK_ULONG.withName("ulTagBits"));
  static final StructLayout CK_C_INITIALIZE_ARGS =
      structLayout(
          POINTER.withName("CreateMutex"),
          POINTER.withName("DestroyMutex"),
          POINTER.withName("LockMutex"),
          POINTER.withName("UnlockMutex"),
          CK_ULONG.withName("flags"),
          POINTER.withName("pReserved"));
  static final StructLayout CK_INFO =
      structLayout(
          CK_VERSION.withName("cryptokiVersion"),
          sequenceLayout(32, JAVA_BYTE).withName("manufacturerID"),
          paddingLayout(6),
          CK_ULONG.withName("flags"),
          sequenceLayout(32, JAVA_BYTE).withName("libraryDescription"),
          CK_VERSION.withName("libraryVersion"),
          paddingLayout(6));
  static final StructLayout CK_TOKEN_INFO =
      structLayout(
          sequenceLayout(32, JAVA_BYTE).withName("label"),
          sequenceLayout(32, JAVA_BYTE).withName("manufacturerID"),
          sequenceLayout(16, JAVA_BYTE).withName("model"),
          sequenceLayout(16, JAVA_BYTE).withName("serialNumber"),
          CK_ULONG.withName("flags"),
          sequenceLayout(10, CK_ULONG).withName("counts"),
          CK_VERSION.withName("hardwareVersion"),
          CK_VERSION.withName("firmwareVersion"),
          sequenceLayout(16, JAVA_BYTE).withName("utcTime"),
          paddingLayout(4));
  static final StructLayout CK_SESSION_INFO =
      structLayout(
          CK_ULONG.withName("slotID"),
          CK_ULONG.withName("state"),
          CK_ULONG.withName("flags"),
          CK_ULONG.withName("ulDeviceError"));
  static final StructLayout CK_MECHANISM_INFO =
      structLayout(
          CK_ULONG.withName("ulMinKeySize"),
          CK_ULONG.withName("ulMaxKeySize"),
          CK_ULONG.withName("flags"));

  /** CK_FUNCTION_LIST's members after its version, in table order (PKCS#11 v2.40). */
  static final List<String> FUNCTIONS =
      List.of(
          "C_Initialize",
          "C_Finalize",
          "C_GetInfo",
          "C_GetFunctionList",
          "C_GetSlotList",
          "C_GetSlotInfo",
          "C_GetTokenInfo",
          "C_GetMechanismList",
          "C_GetMechanismInfo",
          "C_InitToken",
          "C_InitPIN",
          "C_SetPIN",
          "C_OpenSession",
          "C_CloseSession",
          "C_CloseAllSessions",
          "C_GetSessionInfo",
          "C_GetOperationState",
          "C_SetOperationState",
          "C_Login",
          "C_Logout",
          "C_CreateObject",
          "C_CopyObject",
          "C_DestroyObject",
          "C_GetObjectSize",
          "C_GetAttributeValue",
          "C_SetAttributeValue",
          "C_FindObjectsInit",
          "C_FindObjects",
          "C_FindObjectsFinal",
          "C_EncryptInit",
          "C_Encrypt",
          "C_EncryptUpdate",
          "C_EncryptFinal",
          "C_DecryptInit",
          "C_Decrypt",
          "C_DecryptUpdate",
          "C_DecryptFinal",
          "C_DigestInit",
          "C_Digest",
          "C_DigestUpdate",
          "C_DigestKey",
          "C_DigestFinal",
          "C_SignInit",
          "C_Sign",
          "C_SignUpdate",
          "C_SignFinal",
          "C_SignRecoverInit",
          "C_SignRecover",
          "C_VerifyInit",
          "C_Verify",
          "C_VerifyUpdate",
          "C_VerifyFinal",
          "C_VerifyRecoverInit",
          "C_VerifyRecover",
          "C_DigestEncryptUpdate",
          "C_DecryptDigestUpdate",
          "C_SignEncryptUpdate",
          "C_DecryptVerifyUpdate",
          "C_GenerateKey",
          "C_GenerateKeyPair",
          "C_WrapKey",
          "C_UnwrapKey",
          "C_DeriveKey",
          "C_SeedRandom",
          "C_GenerateRandom",
          "C_GetFunctionStatus",
          "C_CancelFunction",
          "C_WaitForSlotEvent");

  static final StructLayout CK_FUNCTION_LIST =
      structLayout(
          CK_VERSION.withName("version"),
          paddingLayout(6),
          sequenceLayout(FUNCTIONS.size(), POINTER).withName("functions"));

  private static final long CKF_OS_LOCKING_OK = 0x2;
  private static final Map<Path, Cryptoki> LOADED = new ConcurrentHashMap<>();

  final Path path;
  final String manufacturer;

  /** The module's CK_INFO, read at initialisation. */
  final TokenDirectory.ModuleInfo info;

  final MethodHandle getSlotList;
  final MethodHandle getTokenInfo;
  final MethodHandle getMechanismList;
  final MethodHandle getMechanismInfo;
  final MethodHandle openSession;
  final MethodHandle closeSession;
  final MethodHandle closeAllSessions;
  final MethodHandle getSessionInfo;
  final MethodHandle login;
  final MethodHandle logout;
  final MethodHandle createObject;
  final MethodHandle copyObject;
  final MethodHandle destroyObject;
  final MethodHandle getAttributeValue;
  final MethodHandle findObjectsInit;
  final MethodHandle findObjects;
  final MethodHandle findObjectsFinal;
  final MethodHandle encryptInit;
  final MethodHandle encrypt;
  final MethodHandle decryptInit;
  final MethodHandle decrypt;
  final MethodHandle generateKey;
  final MethodHandle generateKeyPair;
  final MethodHandle signInit;
  final MethodHandle sign;
  final MethodHandle verifyInit;
  final MethodHandle verify;
  final MethodHandle wrapKey;
  final MethodHandle unwrapKey;
  final MethodHandle generateRandom;

  private Cryptoki(Path path, MemorySegment functionList) {
    this.path = path;
    Linker linker = Linker.nativeLinker();
    MemorySegment table = functionList.reinterpret(CK_FUNCTION_LIST.byteSize());
    int majorVersion = table.get(JAVA_BYTE, 0);
    if (majorVersion < 2) {
      throw new ConfigurationException(
          path + " implements PKCS#11 " + majorVersion + ".x; 2.20 or newer is needed");
    }
    FunctionBinder f = new FunctionBinder(linker, table, path);
    MethodHandle initialize = f.bind("C_Initialize", POINTER);
    MethodHandle getInfo = f.bind("C_GetInfo", POINTER);
    getSlotList = f.bind("C_GetSlotList", JAVA_BYTE, POINTER, POINTER);
    getTokenInfo = f.bind("C_GetTokenInfo", CK_ULONG, POINTER);
    getMechanismList = f.bind("C_GetMechanismList", CK_ULONG, POINTER, POINTER);
    getMechanismInfo = f.bind("C_GetMechanismInfo", CK_ULONG, CK_ULONG, POINTER);
    openSession = f.bind("C_OpenSession", CK_ULONG, CK_ULONG, POINTER, POINTER, POINTER);
    closeSession = f.bind("C_CloseSession", CK_ULONG);
    closeAllSessions = f.bind("C_CloseAllSessions", CK_ULONG);
    getSessionInfo = f.bind("C_GetSessionInfo", CK_ULONG, POINTER);
    login = f.bind("C_Login", CK_ULONG, CK_ULONG, POINTER, CK_ULONG);
    logout = f.bind("C_Logout", CK_ULONG);
    createObject = f.bind("C_CreateObject", CK_ULONG, POINTER, CK_ULONG, POINTER);
    copyObject = f.bind("C_CopyObject", CK_ULONG, CK_ULONG, POINTER, CK_ULONG, POINTER);
    destroyObject = f.bind("C_DestroyObject", CK_ULONG, CK_ULONG);
    getAttributeValue = f.bind("C_GetAttributeValue", CK_ULONG, CK_ULONG, POINTER, CK_ULONG);
    findObjectsInit = f.bind("C_FindObjectsInit", CK_ULONG, POINTER, CK_ULONG);
    findObjects = f.bind("C_FindObjects", CK_ULONG, POINTER, CK_ULONG, POINTER);
    findObjectsFinal = f.bind("C_FindObjectsFinal", CK_ULONG);
    encryptInit = f.bind("C_EncryptInit", CK_ULONG, POINTER, CK_ULONG);
    encrypt = f.bind("C_Encrypt", CK_ULONG, POINTER, CK_ULONG, POINTER, POINTER);
    decryptInit = f.bind("C_DecryptInit", CK_ULONG, POINTER, CK_ULONG);
    decrypt = f.bind("C_Decrypt", CK_ULONG, POINTER, CK_ULONG, POINTER, POINTER);
    generateKey = f.bind("C_GenerateKey", CK_ULONG, POINTER, POINTER, CK_ULONG, POINTER);
    generateKeyPair =
        f.bind(
            "C_GenerateKeyPair",
            CK_ULONG,
            POINTER,
            POINTER,
            CK_ULONG,
            POINTER,
            CK_ULONG,
            POINTER,
            POINTER);
    signInit = f.bind("C_SignInit", CK_ULONG, POINTER, CK_ULONG);
    sign = f.bind("C_Sign", CK_ULONG, POINTER, CK_ULONG, POINTER, POINTER);
    verifyInit = f.bind("C_VerifyInit", CK_ULONG, POINTER, CK_ULONG);
    verify = f.bind("C_Verify", CK_ULONG, POINTER, CK_ULONG, POINTER, CK_ULONG);
    wrapKey = f.bind("C_WrapKey", CK_ULONG, POINTER, CK_ULONG, CK_ULONG, POINTER, POINTER);
    unwrapKey =
        f.bind(
            "C_UnwrapKey",
            CK_ULONG,
            POINTER,
            CK_ULONG,
            POINTER,
            CK_ULONG,
            POINTER,
            CK_ULONG,
            POINTER);
    generateRandom = f.bind("C_GenerateRandom", CK_ULONG, POINTER, CK_ULONG);

    initialise(initialize);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_INFO);
      check("C_GetInfo", invoke(getInfo, info), path.toString());
      this.manufacturer =
          blankPadded(
              info,
              CK_INFO.byteOffset(MemoryLayout.PathElement.groupElement("manufacturerID")),
              32);
      this.info =
          new TokenDirectory.ModuleInfo(
              version(info, CK_INFO.byteOffset(groupElement("cryptokiVersion"))),
              manufacturer,
              blankPadded(info, CK_INFO.byteOffset(groupElement("libraryDescription")), 32),
              version(info, CK_INFO.byteOffset(groupElement("libraryVersion"))));
    }
  }

  /**
   * The module at {@code path}, loaded and initialised on first use.
   *
   * @throws ConfigurationException when the file is missing, is not a PKCS#11 module, or the
   *     platform is not LP64
   */
  static Cryptoki load(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    return LOADED.computeIfAbsent(absolute, Cryptoki::open);
  }

  private static Cryptoki open(Path path) {
    MemoryLayout cLong = Linker.nativeLinker().canonicalLayouts().get("long");
    if (cLong == null || cLong.byteSize() != 8 || POINTER.byteSize() != 8) {
      throw new ConfigurationException(
          "this library's PKCS#11 support needs an LP64 platform (8-byte long and pointers):"
              + " the ffm backend runs on this binding, and the sunpkcs11 and iaik backends read"
              + " slots, labels and mechanisms through it");
    }
    if (!Files.isReadable(path)) {
      throw new ConfigurationException("PKCS#11 module " + path + " is not a readable file");
    }
    SymbolLookup symbols;
    try {
      symbols = SymbolLookup.libraryLookup(path, Arena.global());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "cannot load PKCS#11 module " + path + ": " + e.getMessage(), e);
    }
    MemorySegment getFunctionList =
        symbols
            .find("C_GetFunctionList")
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        path + " does not export C_GetFunctionList (is it a PKCS#11 module?)"));
    MethodHandle handle =
        Linker.nativeLinker()
            .downcallHandle(getFunctionList, FunctionDescriptor.of(CK_ULONG, POINTER));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(POINTER);
      check("C_GetFunctionList", invoke(handle, out), path.toString());
      MemorySegment list = out.get(POINTER, 0);
      if (list.equals(MemorySegment.NULL)) {
        throw new ConfigurationException(path + " returned no CK_FUNCTION_LIST");
      }
      return new Cryptoki(path, list);
    }
  }

  private void initialise(MethodHandle initialize) {
    try (Arena arena = Arena.ofConfined()) {
      // Ask for the module's own OS locking: the pool calls it from many threads at once.
      MemorySegment args = arena.allocate(CK_C_INITIALIZE_ARGS);
      args.set(
          CK_ULONG,
          CK_C_INITIALIZE_ARGS.byteOffset(MemoryLayout.PathElement.groupElement("flags")),
          CKF_OS_LOCKING_OK);
      long rv = invoke(initialize, args);
      if (rv != ReturnCode.CKR_OK.value()
          && rv != ReturnCode.CKR_CRYPTOKI_ALREADY_INITIALIZED.value()) {
        throw ReturnCode.failure("C_Initialize", rv, path.toString());
      }
    }
  }

  /** Throws the typed exception for {@code rv} unless it is CKR_OK. */
  static void check(String function, long rv, String what) {
    if (rv != 0) {
      throw ReturnCode.failure(function, rv, what);
    }
  }

  static long invoke(MethodHandle handle, MemorySegment a) {
    try {
      return (long) handle.invokeExact(a);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  static RuntimeException rethrow(Throwable e) {
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new IllegalStateException("PKCS#11 call failed", e);
  }

  /** A CK_UTF8CHAR field, blank-padded and not NUL-terminated, as a trimmed string. */
  /** A CK_VERSION at {@code offset} as {@code major.minor}. */
  static String version(MemorySegment struct, long offset) {
    return Byte.toUnsignedInt(struct.get(JAVA_BYTE, offset))
        + "."
        + Byte.toUnsignedInt(struct.get(JAVA_BYTE, offset + 1));
  }

  static String blankPadded(MemorySegment struct, long offset, int length) {
    byte[] bytes = struct.asSlice(offset, length).toArray(JAVA_BYTE);
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == ' ' || bytes[end - 1] == 0)) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private record FunctionBinder(Linker linker, MemorySegment table, Path path) {
    MethodHandle bind(String name, MemoryLayout... arguments) {
      long offset =
          CK_FUNCTION_LIST.byteOffset(
              MemoryLayout.PathElement.groupElement("functions"),
              MemoryLayout.PathElement.sequenceElement(FUNCTIONS.indexOf(name)));
      MemorySegment address = table.get(POINTER, offset);
      if (address.equals(MemorySegment.NULL)) {
        throw new ConfigurationException(path + " leaves " + name + " out of its function list");
      }
      return linker.downcallHandle(address, FunctionDescriptor.of(CK_ULONG, arguments));
    }
  }
}
