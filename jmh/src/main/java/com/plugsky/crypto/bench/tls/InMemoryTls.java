package com.plugsky.crypto.bench.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Drives a client and a server engine against each other through memory, no sockets: rounds of
 * wrap on both sides then unwrap of everything the other produced, until both are done and a round
 * moves nothing; then one application byte from the server, as a real server's first response,
 * which carries BoringSSL's TLS 1.3 session tickets (it holds them until then).
 */
final class InMemoryTls {
  private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);
  private static final int MAX_ROUNDS = 32;

  /** The server's first response byte: BoringSSL sends its TLS 1.3 session tickets with it. */
  private final ByteBuffer firstResponse = ByteBuffer.allocateDirect(1);

  final ByteBuffer clientToServer = ByteBuffer.allocateDirect(256 * 1024);
  final ByteBuffer serverToClient = ByteBuffer.allocateDirect(256 * 1024);
  final ByteBuffer application = ByteBuffer.allocateDirect(64 * 1024);

  void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    clientToServer.clear();
    serverToClient.clear();
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      boolean moved = wrap(client, clientToServer) | wrap(server, serverToClient);
      moved |= unwrapAll(server, clientToServer) | unwrapAll(client, serverToClient);
      if (!moved && done(client) && done(server)) {
        firstResponse.clear();
        server.wrap(firstResponse, serverToClient);
        unwrapAll(client, serverToClient);
        return;
      }
    }
    throw new IllegalStateException(
        "the in-memory handshake did not finish: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
  }

  /**
   * Seals {@code plaintext} on {@code from} and opens it on {@code to}; returns the bytes opened.
   * BoringSSL seals 16 KiB in one record, the JDK in two (it fills records to 16,367 bytes).
   */
  int transfer(SSLEngine from, SSLEngine to, ByteBuffer plaintext) throws SSLException {
    clientToServer.clear();
    while (plaintext.hasRemaining()) {
      if (from.wrap(plaintext, clientToServer).bytesConsumed() == 0) {
        throw new IllegalStateException("the engine sealed nothing: " + from.getHandshakeStatus());
      }
    }
    clientToServer.flip();
    application.clear();
    int opened = 0;
    while (clientToServer.hasRemaining()) {
      SSLEngineResult result = to.unwrap(clientToServer, application);
      opened += result.bytesProduced();
      application.clear();
      if (result.bytesConsumed() == 0) {
        break;
      }
    }
    return opened;
  }

  private static boolean done(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
  }

  private static boolean wrap(SSLEngine engine, ByteBuffer network) throws SSLException {
    SSLEngineResult result = engine.wrap(EMPTY, network);
    runTasks(engine, result);
    return result.bytesProduced() > 0;
  }

  private boolean unwrapAll(SSLEngine engine, ByteBuffer network) throws SSLException {
    network.flip();
    boolean moved = false;
    try {
      while (network.hasRemaining()) {
        SSLEngineResult result = engine.unwrap(network, application);
        application.clear();
        runTasks(engine, result);
        if (result.bytesConsumed() == 0) {
          break;
        }
        moved = true;
      }
    } finally {
      network.compact();
    }
    return moved;
  }

  private static void runTasks(SSLEngine engine, SSLEngineResult result) {
    if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
      for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
        task.run();
      }
    }
  }
}
