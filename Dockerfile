# maskstream services on real infrastructure (see docker-compose.yml).
# Build the project first on the host: bin/test or `mvn -B -DskipTests install`; this image only copies the result.
FROM eclipse-temurin:17-jre
WORKDIR /opt/maskstream
COPY app/target/lib/ lib/
COPY app/target/maskstream-app.jar maskstream-app.jar
ENV MASKSTREAM_JAVA_OPTS="-Xmx2g" \
    MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=536870912 MALLOC_TOP_PAD_=67108864
ENTRYPOINT ["sh", "-c", "exec java $MASKSTREAM_JAVA_OPTS -Dai.djl.offline=true -Djava.awt.headless=true -cp 'maskstream-app.jar:lib/*' io.maskstream.app.Main \"$@\"", "maskstream"]
