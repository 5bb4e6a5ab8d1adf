/**
 * IP allow and deny lists and the client address behind trusted proxies: the engine of the IP filter, which sits on
 * the request path right after routing ({@code route → filter → upstream}) and may also guard a whole listener.
 *
 * <p>{@link io.portcullis.security.ip.Cidr} parses one block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, a bare
 * address); {@link io.portcullis.security.ip.IpSet} is an immutable set of blocks, looked up by binary search over
 * merged ranges without allocating for IPv4; {@link io.portcullis.security.ip.IpAccessList} decides (deny wins);
 * {@link io.portcullis.security.ip.IpListFile} keeps a set in sync with a file; and
 * {@link io.portcullis.security.ip.ClientAddress} finds the client behind trusted proxies from
 * {@code X-Forwarded-For} or {@code Forwarded}. IPv4 and IPv6 are separate spaces: an IPv4-mapped IPv6 address
 * ({@code ::ffff:1.2.3.4}), as a rule or as a client, is the IPv4 address it carries, and {@code ::/0} covers IPv6
 * clients only.
 *
 * <p>Everything here is immutable or publishes immutable snapshots, so event loops read it without locks; files are
 * read only at startup and on the executor handed to {@link io.portcullis.security.ip.IpListFile}. Depends on
 * {@code security.files} and Netty's address parser only.
 */
package io.portcullis.security.ip;
