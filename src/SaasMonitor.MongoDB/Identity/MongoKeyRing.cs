using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace SaasMonitor.MongoDB.Identity;

/// <summary>
/// The Data Protection key ring (it protects session cookies and antiforgery tokens and encrypts alert channel
/// secrets) in MongoDB: every dashboard replica and the alerting worker share it wherever they run, and it is as
/// durable as the accounts and channels it protects. Keys are only ever added (Data Protection revokes by adding an
/// element), with majority acknowledgement. Data Protection reads the ring at start and then about once a day.
/// </summary>
internal sealed class MongoKeyRing(IMongoDatabase database) : IXmlRepository
{
    internal const string Collection = "data_protection_keys";

    private readonly IMongoCollection<KeyDocument> _keys = database.WithWriteConcern(WriteConcern.WMajority).GetCollection<KeyDocument>(Collection);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. _keys.Find(FilterDefinition<KeyDocument>.Empty).SortBy(k => k.StoredAt).ToList().Select(k => XElement.Parse(k.Xml))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        _keys.InsertOne(new KeyDocument
        {
            Id = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName,
            Xml = element.ToString(SaveOptions.DisableFormatting),
            StoredAt = DateTime.UtcNow,
        });
    }

    internal sealed class KeyDocument
    {
        /// <summary>Data Protection's name for the element ("key-{id}"), unique.</summary>
        [BsonId]
        public string Id { get; set; } = "";

        [BsonElement("xml")]
        public string Xml { get; set; } = "";

        [BsonElement("storedAt")]
        public DateTime StoredAt { get; set; }
    }
}
