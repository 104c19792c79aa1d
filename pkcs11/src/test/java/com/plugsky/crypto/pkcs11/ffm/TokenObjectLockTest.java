package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenObjectLockTest {
  @TempDir Path directory;

  @Test
  void aModuleNamedThroughALinkSharesTheLockOfItsTokens() throws Exception {
    Path module = Files.createFile(directory.resolve("libmodule.so"));
    Path link = Files.createSymbolicLink(directory.resolve("liblinked.so"), module);

    assertThat(TokenObjectLock.of(link, "token-a")).isSameAs(TokenObjectLock.of(module, "token-a"));
    assertThat(TokenObjectLock.of(module, "token-b"))
        .isNotSameAs(TokenObjectLock.of(module, "token-a"));
  }

  @Test
  void searchesRunSideBySideAndAChangeWaitsUntilTheyEnd() throws Exception {
    TokenObjectLock lock =
        TokenObjectLock.of(Files.createFile(directory.resolve("libsearch.so")), "token");
    CountDownLatch bothSearching = new CountDownLatch(2);
    CountDownLatch searchesMayEnd = new CountDownLatch(1);
    AtomicBoolean searching = new AtomicBoolean(true);
    try (ExecutorService threads = Executors.newFixedThreadPool(3)) {
      for (int i = 0; i < 2; i++) {
        threads.submit(
            () ->
                lock.searching(
                    () -> {
                      bothSearching.countDown();
                      searchesMayEnd.await();
                      searching.set(false);
                      return null;
                    }));
      }
      assertThat(bothSearching.await(10, TimeUnit.SECONDS)).as("two searches at once").isTrue();
      Future<Boolean> sawASearch = threads.submit(() -> lock.changing(searching::get));
      Thread.sleep(100);
      assertThat(sawASearch).isNotDone();
      searchesMayEnd.countDown();
      assertThat(sawASearch.get(10, TimeUnit.SECONDS)).as("a search still running").isFalse();
    }
  }
}
