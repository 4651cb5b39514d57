namespace FastBucket.Llm.Tests.Catalog;

/// <summary>A catalog file in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempCatalogFile : IDisposable
{
    private readonly string _directory;

    public TempCatalogFile(string json, string fileName = "limits.json")
    {
        _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fastbucket-catalog-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, fileName);
        File.WriteAllText(Path, json);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
