# swarmgate-test/busybox: a shell and the usual tools for tests, built by the test bed
# (test/testbed/busybox.ts) FROM scratch out of Debian's statically linked busybox, because no
# image can be pulled here.
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/bin
LABEL io.swarmgate.test-image=busybox
CMD ["sh"]
