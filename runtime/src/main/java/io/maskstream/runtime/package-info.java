/**
 * What every maskstream service stands on: the {@link io.maskstream.runtime.Service} lifecycle and,
 * in {@link io.maskstream.runtime.config}, typed configuration loaded from defaults, a properties
 * file and the environment.
 */
package io.maskstream.runtime;
