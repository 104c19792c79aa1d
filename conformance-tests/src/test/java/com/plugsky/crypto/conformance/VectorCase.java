package com.plugsky.crypto.conformance;

import com.plugsky.crypto.engine.AeadEngine;
import java.util.function.Function;

/**
 * One test vector, ready to run on any engine.
 *
 * @param id how reports name it: {@code tcId 17 (comment) [Flag]} or {@code [IVlen=96, ...] Count=3 (line 120)}
 * @param check runs the vector on an engine and judges the result
 */
record VectorCase(String id, Function<AeadEngine, Outcome> check) {}
