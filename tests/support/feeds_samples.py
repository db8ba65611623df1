"""Small well-formed feeds in the three syntaxes regwatch must read."""

RSS2 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>SAMR fines platform</title><link>https://wire.example/a?utm_source=rss#top</link>
<guid isPermaLink="false">wire-1</guid><pubDate>Sat, 10 Apr 2021 08:00:00 GMT</pubDate>
<description>&lt;p&gt;The regulator fined &lt;b&gt;a platform&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>Second</title><link>https://wire.example/b</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Daily</title><id>urn:daily</id>
<updated>2021-04-10T08:00:00Z</updated>
<entry><title>Atom story</title><id>tag:daily.example,2021:1</id>
<link rel="alternate" href="https://daily.example/story-1"/>
<updated>2021-04-10T09:30:00Z</updated><summary>Summary text</summary></entry>
</feed>"""

RSS1 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link>
<items><rdf:Seq><rdf:li rdf:resource="https://rdf.example/1"/></rdf:Seq></items></channel>
<item rdf:about="https://rdf.example/1"><title>监管新规</title><link>https://rdf.example/1</link>
<dc:date>2022-04-29T10:00:00+08:00</dc:date><description>中央政治局会议</description></item>
</rdf:RDF>"""
