/** The one small read-only web server the metrics endpoint and the dashboard run on. */
package io.maskstream.runtime.http;
