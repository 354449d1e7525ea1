using SaasMonitor.Core.Metadata;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What every store of uploaded files' bytes (a folder, GridFS) must do.</summary>
public abstract class FileBlobStoreConformanceTests
{
    protected abstract Task<IFileBlobStore> CreateStoreAsync();

    [Fact]
    public async Task Written_bytes_read_back_identically()
    {
        var store = await CreateStoreAsync();
        var id = Guid.NewGuid().ToString("N");
        var bytes = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31)).ToArray();
        await using (var write = store.Create(id))
        {
            await write.WriteAsync(bytes, TestContext.Current.CancellationToken);
        }

        await using var read = store.OpenRead(id);
        read.Should().NotBeNull();
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy, TestContext.Current.CancellationToken);
        copy.ToArray().Should().Equal(bytes);
    }

    [Fact]
    public async Task A_blob_is_not_visible_before_its_writer_is_disposed()
    {
        var store = await CreateStoreAsync();
        var id = Guid.NewGuid().ToString("N");
        await using var write = store.Create(id);
        await write.WriteAsync(new byte[] { 1, 2, 3 }, TestContext.Current.CancellationToken);

        store.OpenRead(id).Should().BeNull();
    }

    [Fact]
    public async Task A_deleted_or_unknown_blob_reads_as_null()
    {
        var store = await CreateStoreAsync();
        var id = Guid.NewGuid().ToString("N");
        await using (var write = store.Create(id))
        {
            await write.WriteAsync(new byte[] { 1 }, TestContext.Current.CancellationToken);
        }

        store.Delete(id);

        store.OpenRead(id).Should().BeNull();
        store.OpenRead(Guid.NewGuid().ToString("N")).Should().BeNull();
    }

    [Fact]
    public async Task An_id_that_could_escape_the_store_is_refused()
    {
        var store = await CreateStoreAsync();

        var create = () => store.Create("../../etc/passwd");

        create.Should().Throw<ArgumentException>();
    }
}
